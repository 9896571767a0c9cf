package io.egoiverify.app.ops;

import io.egoiverify.worker.command.WorkerMetrics;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiApi;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures every E-goi call the worker makes, from outside the worker: {@code egoi.calls} (timer with a latency
 * histogram, tagged {@code operation} = send|validate|status|cancel|resend|senders and {@code status} = the typed
 * result, e.g. {@code sent},
 * {@code wrong_code}, {@code server_error}, {@code timeout_response}) and {@code egoi.calls.in.flight}. Retries are
 * counted exactly by the worker itself ({@link MicrometerWorkerMetrics}). No tag carries a number, code or key.
 */
public final class MeteredEgoiApi implements EgoiApi {
    private final EgoiApi delegate;
    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();

    public MeteredEgoiApi(EgoiApi delegate, MeterRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.registry = Objects.requireNonNull(registry, "registry");
        registry.gauge("egoi.calls.in.flight", inFlight);
    }

    @Override
    public Dialect dialect() {
        return delegate.dialect();
    }

    @Override
    public CompletableFuture<EgoiResult> send(SenderProfile profile, SendRequest request) {
        return timed("send", delegate.send(profile, request));
    }

    @Override
    public CompletableFuture<EgoiResult> validate(SenderProfile profile, String providerRequestId, String code) {
        return timed("validate", delegate.validate(profile, providerRequestId, code));
    }

    @Override
    public CompletableFuture<EgoiResult> status(SenderProfile profile, String providerRequestId) {
        return timed("status", delegate.status(profile, providerRequestId));
    }

    @Override
    public CompletableFuture<EgoiResult> cancel(SenderProfile profile, String providerRequestId) {
        return timed("cancel", delegate.cancel(profile, providerRequestId));
    }

    @Override
    public CompletableFuture<EgoiResult> resend(SenderProfile profile, String providerRequestId) {
        return timed("resend", delegate.resend(profile, providerRequestId));
    }

    @Override
    public CompletableFuture<EgoiResult> senders(SenderProfile profile) {
        return timed("senders", delegate.senders(profile));
    }

    private CompletableFuture<EgoiResult> timed(String operation, CompletableFuture<EgoiResult> call) {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        return call.whenComplete((result, error) -> {
            inFlight.decrementAndGet();
            if (result != null && result.delivery() == EgoiResult.Delivery.NO_CALL) {
                return; // refused before any call, or a call the dialect lacks: nothing to time
            }
            String status = error != null ? "error" : statusOf(result);
            Timer.builder("egoi.calls").tag("operation", operation).tag("status", status)
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30)).register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - start));
        });
    }

    /** {@code WrongCode} becomes {@code wrong_code}, {@code Timeout(RESPONSE)} {@code timeout_response}. */
    static String statusOf(EgoiResult result) {
        return WorkerMetrics.nameOf(result);
    }
}
