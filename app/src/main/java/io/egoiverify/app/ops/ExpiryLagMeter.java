package io.egoiverify.app.ops;

import io.egoiverify.lifecycle.streams.LifecycleMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The lifecycle's expiry lag as {@code verification_expiry_lag_seconds} (Prometheus histogram): for each
 * {@code VerificationExpired} the punctuator publishes, the wall-clock punctuation time minus the deadline that fired
 * (the code's expiresAt; expiresAt + resultGrace when a check was in flight). The EOS commit comes on top.
 */
public final class ExpiryLagMeter {
    public static final String NAME = "verification.expiry.lag";

    private ExpiryLagMeter() {
    }

    public static LifecycleMetrics bind(MeterRegistry registry) {
        Timer timer = Timer.builder(NAME)
                .description("Punctuation time minus the expiry deadline, per VerificationExpired published by "
                        + "the lifecycle's punctuator")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry);
        return lagMillis -> timer.record(lagMillis, TimeUnit.MILLISECONDS);
    }
}
