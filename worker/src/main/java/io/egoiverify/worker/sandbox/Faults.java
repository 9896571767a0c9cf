package io.egoiverify.worker.sandbox;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Faults the sandbox injects, settable at run time (Java: {@link EgoiSandbox#setFaults}, HTTP: {@code PUT
 * /_sandbox/faults}). Each call draws once: with probability {@code timeoutRate} it is never answered, then
 * {@code dropRate} the connection is closed without an answer, {@code malformedRate} a 200 with broken JSON,
 * {@code rateLimitRate} a 429 with {@code Retry-After}, then each {@code errorRates} entry (HTTP status → probability).
 * Two kinds, so that tests can tell them apart: "not processed" — a 429 and an error status of 503 — is answered
 * without the call taking effect (no SMS, no state change); "processed, answer lost" — timeouts, drops, malformed
 * bodies and every other error status (500, 502, ...) — is injected AFTER the call took effect (the SMS is in the
 * outbox): the worst case of an unknown outcome. Faults apply to every API call of both dialects (the number-based
 * {@code stalledNumbers} to sends only). Every answer is delayed by a uniform latency in
 * [{@code latencyMin}, {@code latencyMax}]. Calls for a number in {@code stalledNumbers} take effect and are never
 * answered.
 */
public record Faults(Duration latencyMin, Duration latencyMax, Map<Integer, Double> errorRates, double rateLimitRate,
                     int retryAfterSeconds, double dropRate, double timeoutRate, double malformedRate,
                     Set<String> stalledNumbers) {

    public Faults {
        Objects.requireNonNull(latencyMin, "latencyMin");
        Objects.requireNonNull(latencyMax, "latencyMax");
        if (latencyMin.isNegative() || latencyMax.compareTo(latencyMin) < 0) {
            throw new IllegalArgumentException("need 0 <= latencyMin <= latencyMax");
        }
        errorRates = Map.copyOf(errorRates == null ? Map.of() : errorRates);
        stalledNumbers = Set.copyOf(stalledNumbers == null ? Set.of() : stalledNumbers);
        double total = rateLimitRate + dropRate + timeoutRate + malformedRate;
        for (Map.Entry<Integer, Double> e : errorRates.entrySet()) {
            if (e.getKey() < 400 || e.getKey() > 599) {
                throw new IllegalArgumentException("error status must be 4xx/5xx: " + e.getKey());
            }
            total += probability(e.getValue());
        }
        probability(rateLimitRate);
        probability(dropRate);
        probability(timeoutRate);
        probability(malformedRate);
        if (total > 1.0 + 1e-9) {
            throw new IllegalArgumentException("fault probabilities add up to more than 1: " + total);
        }
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must be >= 0");
        }
    }

    public static Faults none() {
        return new Faults(Duration.ZERO, Duration.ZERO, Map.of(), 0, 0, 0, 0, 0, Set.of());
    }

    /** Fixed latency, no faults. */
    public static Faults latency(Duration latency) {
        return none().withLatency(latency, latency);
    }

    public Faults withLatency(Duration min, Duration max) {
        return new Faults(min, max, errorRates, rateLimitRate, retryAfterSeconds, dropRate, timeoutRate, malformedRate,
                stalledNumbers);
    }

    public Faults withErrorRate(int httpStatus, double rate) {
        Map<Integer, Double> m = new HashMap<>(errorRates);
        m.put(httpStatus, rate);
        return new Faults(latencyMin, latencyMax, m, rateLimitRate, retryAfterSeconds, dropRate, timeoutRate,
                malformedRate, stalledNumbers);
    }

    public Faults withRateLimit(double rate, int retryAfterSeconds) {
        return new Faults(latencyMin, latencyMax, errorRates, rate, retryAfterSeconds, dropRate, timeoutRate,
                malformedRate, stalledNumbers);
    }

    public Faults withDropRate(double rate) {
        return new Faults(latencyMin, latencyMax, errorRates, rateLimitRate, retryAfterSeconds, rate, timeoutRate,
                malformedRate, stalledNumbers);
    }

    public Faults withTimeoutRate(double rate) {
        return new Faults(latencyMin, latencyMax, errorRates, rateLimitRate, retryAfterSeconds, dropRate, rate,
                malformedRate, stalledNumbers);
    }

    public Faults withMalformedRate(double rate) {
        return new Faults(latencyMin, latencyMax, errorRates, rateLimitRate, retryAfterSeconds, dropRate, timeoutRate,
                rate, stalledNumbers);
    }

    public Faults withStalledNumbers(Set<String> numbers) {
        return new Faults(latencyMin, latencyMax, errorRates, rateLimitRate, retryAfterSeconds, dropRate, timeoutRate,
                malformedRate, numbers);
    }

    private static double probability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be in [0,1]: " + p);
        }
        return p;
    }
}
