package io.egoiverify.app.query;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code verification_status_queries_seconds{served, answer}}: status queries answered from this instance's state
 * ({@code local}) or fetched from another ({@code forwarded}), by answer ({@code found}, {@code not_found},
 * {@code unavailable}), with a histogram from 0.5 ms to 30 s (the longest forward timeout) whose buckets include the
 * latency targets 10 ms and 30 ms exactly; {@code verification_status_queries_refused_total{reason}} for those refused
 * before a lookup.
 */
final class QueryMeters {
    private static final Duration MIN = Duration.ofNanos(500_000);
    private static final Duration MAX = Duration.ofSeconds(30);
    private static final Duration LOCAL_TARGET = Duration.ofMillis(10);
    private static final Duration FORWARDED_TARGET = Duration.ofMillis(30);
    private final MeterRegistry registry;

    QueryMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void served(String served, String answer, long startedNanos) {
        record(served, answer, System.nanoTime() - startedNanos);
    }

    void record(String served, String answer, long elapsedNanos) {
        Timer.builder("verification.status.queries").description("Status queries by where they were answered")
                .tags("served", served, "answer", answer)
                .publishPercentileHistogram().minimumExpectedValue(MIN).maximumExpectedValue(MAX)
                .serviceLevelObjectives(LOCAL_TARGET, FORWARDED_TARGET).register(registry)
                .record(elapsedNanos, TimeUnit.NANOSECONDS);
    }

    void refused(String reason) {
        Counter.builder("verification.status.queries.refused").description("Status queries refused before a lookup")
                .tag("reason", reason).register(registry).increment();
    }
}
