package io.egoiverify.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the number guard remembers about one number (keyed by its HMAC; the number itself is never known here).
 * Every list is bounded: sends by the send limit, failed checks by the failed-check limit, active verifications by the
 * send limit (each was granted a send inside its lifetime).
 *
 * @param sends        when sends were granted, oldest first, inside the send window
 * @param failedChecks when wrong codes were reported, oldest first, inside the failed-check window (at most the limit)
 * @param active       verifications granted and not yet ended
 */
public record NumberState(List<Instant> sends, List<Instant> failedChecks, List<Active> active) {

    /**
     * @param requestId the verification
     * @param permitId  its permit
     * @param until     when the slot is freed even without an ENDED notice (the verification's longest life)
     */
    public record Active(String requestId, String permitId, Instant until) {
        public Active {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(permitId, "permitId");
            Objects.requireNonNull(until, "until");
        }
    }

    public static final NumberState EMPTY = new NumberState(List.of(), List.of(), List.of());

    public NumberState {
        sends = List.copyOf(sends);
        failedChecks = List.copyOf(failedChecks);
        active = List.copyOf(active);
    }

    public boolean isEmpty() {
        return sends.isEmpty() && failedChecks.isEmpty() && active.isEmpty();
    }

    /** The next instant at which time alone changes this state (an entry leaves its window), or null if empty. */
    public Instant wakeAt(AbuseLimits limits) {
        Instant wake = null;
        if (!sends.isEmpty()) {
            wake = sends.get(0).plus(limits.sendWindow());
        }
        if (!failedChecks.isEmpty()) {
            wake = min(wake, failedChecks.get(0).plus(limits.failedCheckWindow()));
        }
        for (Active a : active) {
            wake = min(wake, a.until());
        }
        return wake;
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
