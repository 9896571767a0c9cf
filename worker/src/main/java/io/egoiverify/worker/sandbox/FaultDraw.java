package io.egoiverify.worker.sandbox;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One call's draw of the configured {@link Faults}. A "not processed" fault (429, and 503 from the error rates) is
 * answered before the call takes effect: no SMS, no state change. Every other fault (a timeout, a dropped connection,
 * a malformed 2xx, any other error status such as 500) is applied after the call took effect: the SMS went out and
 * only the answer is lost, the worst case of an unknown outcome.
 */
record FaultDraw(Kind kind, int status) {
    /** HTTP statuses the sandbox answers without processing the call. */
    static final Set<Integer> NOT_PROCESSED = Set.of(429, 503);

    enum Kind { NONE, STALL, DROP, MALFORMED, RATE_LIMITED, ERROR }

    static FaultDraw of(Faults f, String number) {
        if (number != null && f.stalledNumbers().contains(number)) {
            return new FaultDraw(Kind.STALL, 0);
        }
        double r = ThreadLocalRandom.current().nextDouble();
        double[] rates = {f.timeoutRate(), f.dropRate(), f.malformedRate(), f.rateLimitRate()};
        Kind[] kinds = {Kind.STALL, Kind.DROP, Kind.MALFORMED, Kind.RATE_LIMITED};
        for (int i = 0; i < rates.length; i++) {
            if ((r -= rates[i]) < 0) {
                return new FaultDraw(kinds[i], kinds[i] == Kind.RATE_LIMITED ? 429 : 0);
            }
        }
        for (Map.Entry<Integer, Double> e : f.errorRates().entrySet()) {
            if ((r -= e.getValue()) < 0) {
                return new FaultDraw(Kind.ERROR, e.getKey());
            }
        }
        return new FaultDraw(Kind.NONE, 0);
    }

    /** Whether the call must be answered without taking effect. */
    boolean notProcessed() {
        return kind == Kind.RATE_LIMITED || (kind == Kind.ERROR && NOT_PROCESSED.contains(status));
    }

    /**
     * The answer to send: {@code ok} when no fault was drawn, else the fault's answer. {@code error} writes an error
     * status in the dialect's style; a 429 carries {@code Retry-After}.
     */
    Reply apply(Reply ok, Faults faults, ErrorStyle error) {
        return switch (kind) {
            case NONE -> ok;
            case STALL -> Reply.stalled();
            case DROP -> Reply.dropped();
            case MALFORMED -> Reply.json(ok.status() == 0 ? 200 : ok.status(), "{\"verifyId\": \"x\", \"status\": ");
            case RATE_LIMITED -> error.reply(429).withHeader("Retry-After",
                    Integer.toString(faults.retryAfterSeconds()));
            case ERROR -> status == 429
                    ? error.reply(429).withHeader("Retry-After", Integer.toString(faults.retryAfterSeconds()))
                    : error.reply(status);
        };
    }

    /** How a dialect writes an error answer of a given status. */
    @FunctionalInterface
    interface ErrorStyle {
        Reply reply(int status);
    }
}
