package io.egoiverify.app.ops;

import io.egoiverify.events.FailureReason;
import io.egoiverify.lifecycle.streams.ExpiryMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The lifecycle processor's own meters: the expiry lag histogram ({@link ExpiryLagMeter}) and
 * {@code verification_failures_total{reason}}, one series per {@link FailureReason} (lower case, e.g.
 * {@code provider_unavailable}), registered at 0 up front so that a ratio over it exists before the first failure.
 */
public final class LifecycleMeters {
    public static final String FAILURES = "verification.failures";

    private LifecycleMeters() {
    }

    public static ExpiryMetrics bind(MeterRegistry registry) {
        ExpiryMetrics lag = ExpiryLagMeter.bind(registry);
        Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
        for (FailureReason r : FailureReason.values()) {
            failures.put(r, Counter.builder(FAILURES).tag("reason", r.name().toLowerCase(Locale.ROOT))
                    .description("VerificationFailed events produced by this instance's lifecycle, by reason")
                    .register(registry));
        }
        return new ExpiryMetrics() {
            @Override
            public void expired(long lagMillis) {
                lag.expired(lagMillis);
            }

            @Override
            public void failed(FailureReason reason) {
                failures.get(reason).increment();
            }
        };
    }
}
