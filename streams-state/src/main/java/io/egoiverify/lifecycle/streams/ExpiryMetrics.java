package io.egoiverify.lifecycle.streams;

/**
 * Hook for the expiry lag, called by the lifecycle's punctuator on its stream thread(s) each time it publishes a
 * {@code VerificationExpired}: implementations must be thread-safe and fast (no I/O). The app binds it to a
 * histogram; {@link #NONE} does nothing.
 */
@FunctionalInterface
public interface ExpiryMetrics {
    /** Does nothing. */
    ExpiryMetrics NONE = lagMillis -> {
    };

    /**
     * A verification expired from the punctuator.
     *
     * @param lagMillis wall-clock time of the punctuation minus the deadline that fired, i.e. the code's
     *                  {@code expiresAt} (or {@code expiresAt + resultGrace} when the expiry was held for a check in
     *                  flight); never negative. The EOS commit that publishes the event comes on top.
     */
    void expired(long lagMillis);
}
