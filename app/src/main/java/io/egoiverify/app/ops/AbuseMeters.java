package io.egoiverify.app.ops;

import io.egoiverify.lifecycle.Limit;
import io.egoiverify.lifecycle.streams.AbuseCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The lifecycle's per-number abuse protection as meters: {@code verification_sends_granted_total},
 * {@code verification_sends_refused_total{limit}} ({@code sends-per-number}, {@code failed-checks-per-number},
 * {@code one-active-per-number}), {@code verification_superseded_total} and {@code verification_failed_checks_total}.
 * Counted by this instance's stream threads; never tagged with a number.
 */
public final class AbuseMeters {
    private AbuseMeters() {
    }

    public static AbuseCounters bind(MeterRegistry registry) {
        AbuseCounters c = new AbuseCounters();
        FunctionCounter.builder("verification.sends.granted", c, AbuseCounters::grantedCount)
                .description("Sends permitted by the per-number limits").register(registry);
        for (Limit l : Limit.values()) {
            FunctionCounter.builder("verification.sends.refused", c, x -> x.refusedCount(l)).tag("limit", l.id())
                    .description("Requests refused by a per-number limit (failed RATE_LIMITED)").register(registry);
        }
        FunctionCounter.builder("verification.superseded", c, AbuseCounters::supersededCount)
                .description("Live verifications cancelled because a newer one for the same number was permitted")
                .register(registry);
        FunctionCounter.builder("verification.failed.checks", c, AbuseCounters::failedCheckCount)
                .description("Wrong codes counted against a number").register(registry);
        return c;
    }
}
