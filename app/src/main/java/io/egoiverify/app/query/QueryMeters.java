package io.egoiverify.app.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code verification_status_queries_seconds{served, answer}}: status queries answered from this instance's state
 * ({@code local}) or fetched from another ({@code forwarded}), by answer ({@code found}, {@code not_found},
 * {@code unavailable}); {@code verification_status_queries_refused_total{reason}} for those refused before a lookup.
 */
final class QueryMeters {
    private final MeterRegistry registry;

    QueryMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void served(String served, String answer, long startedNanos) {
        Timer.builder("verification.status.queries").description("Status queries by where they were answered")
                .tags("served", served, "answer", answer).register(registry)
                .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    void refused(String reason) {
        Counter.builder("verification.status.queries.refused").description("Status queries refused before a lookup")
                .tag("reason", reason).register(registry).increment();
    }
}
