package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.Limit;

/**
 * Hook for per-limit counters, called by the number guard on its stream thread(s): implementations must be
 * thread-safe and fast (no I/O), and must not throw (an exception fails the task: exactly-once rolls the step back).
 * {@link AbuseCounters} is a ready one the app can bind to its metrics registry.
 */
public interface AbuseMetrics {
    /** Does nothing. */
    AbuseMetrics NONE = new AbuseMetrics() {
    };

    /** A send was permitted. */
    default void granted() {
    }

    /** A send was refused by {@code limit} (the request fails RATE_LIMITED). */
    default void refused(Limit limit) {
    }

    /** A live verification was cancelled because a newer one for the same number was permitted. */
    default void superseded() {
    }

    /** A wrong code was counted against a number. */
    default void failedCheck() {
    }
}
