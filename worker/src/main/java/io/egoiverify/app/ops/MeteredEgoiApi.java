package io.egoiverify.app.ops;

import io.egoiverify.worker.egoi.EgoiApi;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures every E-goi call the worker makes, from outside the worker: {@code egoi.calls} (timer with a latency
 * histogram, tagged {@code operation} = send|validate and {@code status} = the typed result, e.g. {@code sent},
 * {@code wrong_code}, {@code server_error}, {@code timeout}), {@code egoi.calls.in.flight} and {@code egoi.retries}
 * (a call repeating one of the recent calls with the same arguments). No tag carries a number, code or key.
 */
public final class MeteredEgoiApi implements EgoiApi {
    private static final int RECENT = 10_000;
    private final EgoiApi delegate;
    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter sendRetries;
    private final Counter validateRetries;
    private final Map<Integer, Boolean> recent = new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
            return size() > RECENT;
        }
    };

    public MeteredEgoiApi(EgoiApi delegate, MeterRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.registry = Objects.requireNonNull(registry, "registry");
        registry.gauge("egoi.calls.in.flight", inFlight);
        this.sendRetries = Counter.builder("egoi.retries").tag("operation", "send").register(registry);
        this.validateRetries = Counter.builder("egoi.retries").tag("operation", "validate").register(registry);
    }

    @Override
    public CompletableFuture<EgoiResult> send(SenderProfile profile, SendRequest request) {
        if (seenRecently(Objects.hash("send", profile.name(), request))) {
            sendRetries.increment();
        }
        return timed("send", delegate.send(profile, request));
    }

    @Override
    public CompletableFuture<EgoiResult> validate(SenderProfile profile, String providerRequestId, String code) {
        if (seenRecently(Objects.hash("validate", profile.name(), providerRequestId, code))) {
            validateRetries.increment();
        }
        return timed("validate", delegate.validate(profile, providerRequestId, code));
    }

    private synchronized boolean seenRecently(int fingerprint) {
        return recent.put(fingerprint, Boolean.TRUE) != null;
    }

    private CompletableFuture<EgoiResult> timed(String operation, CompletableFuture<EgoiResult> call) {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        return call.whenComplete((result, error) -> {
            inFlight.decrementAndGet();
            String status = error != null ? "error" : statusOf(result);
            Timer.builder("egoi.calls").tag("operation", operation).tag("status", status)
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30)).register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - start));
        });
    }

    /** {@code WrongCode} becomes {@code wrong_code}. */
    static String statusOf(EgoiResult result) {
        String simple = result == null ? "null" : result.getClass().getSimpleName();
        return simple.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
