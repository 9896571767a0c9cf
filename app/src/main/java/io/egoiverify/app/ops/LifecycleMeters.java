package io.egoiverify.app.ops;

import io.egoiverify.events.FailureReason;
import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.lifecycle.streams.LifecycleMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The lifecycle processor's own meters: the expiry lag histogram ({@link ExpiryLagMeter}), the send latency histogram
 * {@code verification_send_latency_seconds} (admission of a request or resend to its {@code VerificationSent}, inside
 * the lifecycle; 150 ms, 1 s and 5 s are bucket bounds),
 * {@code verification_failures_total{reason}}, one series per {@link FailureReason} (lower case, e.g.
 * {@code provider_unavailable}), and {@code verification_resends_rejected_total{reason}}, one per
 * {@link ResendRejectReason} (e.g. {@code cooldown}), all registered at 0 up front so that a ratio over them exists
 * before the first event, and {@code verification_worker_clock_skew_seconds{direction}} (ahead / behind, a summary:
 * count, sum, max): for each send or resend result whose call start shows the worker's clock off this instance's,
 * by how much at least ({@link LifecycleMetrics#workerClockSkew}).
 */
public final class LifecycleMeters {
    public static final String FAILURES = "verification.failures";
    public static final String RESENDS_REJECTED = "verification.resends.rejected";
    public static final String SEND_LATENCY = "verification.send.latency";
    public static final String SOURCE_PARTITIONS = "verification.lifecycle.source.partitions";
    public static final String WORKER_CLOCK_SKEW = "verification.worker.clock.skew";

    private LifecycleMeters() {
    }

    /**
     * {@code verification_lifecycle_source_partitions}: the partitions of the lifecycle's source topics, which the
     * stream threads of all instances must own between them (the partitions-unowned alert compares the two).
     */
    public static void sourcePartitions(MeterRegistry registry, IntSupplier partitions) {
        Gauge.builder(SOURCE_PARTITIONS, partitions, IntSupplier::getAsInt).strongReference(true)
                .description("Partitions of the lifecycle's source topics (inputs, results, the number guard's), "
                        + "which the stream threads of all instances must own between them").register(registry);
    }

    public static LifecycleMetrics bind(MeterRegistry registry) {
        LifecycleMetrics lag = ExpiryLagMeter.bind(registry);
        Timer sendLatency = Timer.builder(SEND_LATENCY)
                .description("Admission of a request (or resend) to its VerificationSent, inside the lifecycle: "
                        + "the permit, the worker, E-goi's call and the result")
                .publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofMillis(150), Duration.ofSeconds(1), Duration.ofSeconds(5))
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        Map<FailureReason, Counter> failures = byReason(registry, FailureReason.class, FAILURES,
                "VerificationFailed events produced by this instance's lifecycle, by reason");
        Map<ResendRejectReason, Counter> resendRefusals = byReason(registry, ResendRejectReason.class,
                RESENDS_REJECTED, "ResendRejected events produced by this instance's lifecycle, by reason");
        DistributionSummary ahead = skew(registry, "ahead");
        DistributionSummary behind = skew(registry, "behind");
        return new LifecycleMetrics() {
            @Override
            public void expired(long lagMillis) {
                lag.expired(lagMillis);
            }

            @Override
            public void sent(long sinceAdmissionMillis) {
                sendLatency.record(sinceAdmissionMillis, TimeUnit.MILLISECONDS);
            }

            @Override
            public void failed(FailureReason reason) {
                failures.get(reason).increment();
            }

            @Override
            public void resendRejected(ResendRejectReason reason) {
                resendRefusals.get(reason).increment();
            }

            @Override
            public void workerClockSkew(Duration skew) {
                double seconds = skew.getSeconds() + skew.getNano() / 1e9;
                (seconds > 0 ? ahead : behind).record(Math.abs(seconds));
            }
        };
    }

    private static DistributionSummary skew(MeterRegistry registry, String direction) {
        return DistributionSummary.builder(WORKER_CLOCK_SKEW).baseUnit("seconds").tag("direction", direction)
                .description("Send results whose call start (the worker's clock) lies outside the window the call "
                        + "must have started in on this instance's clock: by how much at least")
                .register(registry);
    }

    private static <E extends Enum<E>> Map<E, Counter> byReason(MeterRegistry registry, Class<E> reasons, String name,
                                                                String description) {
        Map<E, Counter> counters = new EnumMap<>(reasons);
        for (E r : reasons.getEnumConstants()) {
            counters.put(r, Counter.builder(name).tag("reason", r.name().toLowerCase(Locale.ROOT))
                    .description(description).register(registry));
        }
        return counters;
    }
}
