package io.egoiverify.lifecycle.streams;

import io.egoiverify.events.FailureReason;
import io.egoiverify.events.ResendRejectReason;
import java.time.Duration;

/**
 * Hook for the lifecycle processor's own meters, called on its stream thread(s): the expiry lag each time the
 * punctuator publishes a {@code VerificationExpired}, the time from admission to each {@code VerificationSent}, each
 * {@code VerificationFailed} by reason and each {@code ResendRejected} by reason (the outcome-topic counters cannot
 * tell reasons apart). Implementations must be thread-safe and fast (no I/O), and must not throw: an exception fails
 * the task (exactly-once rolls the step back and a replacement thread repeats it). The app binds it to histograms and
 * counters; {@link #NONE} does nothing.
 *
 * <p>With exactly-once, an event of a transaction that later aborts is told again when it is re-processed.
 */
@FunctionalInterface
public interface LifecycleMetrics {
    /** Does nothing. */
    LifecycleMetrics NONE = lagMillis -> {
    };

    /**
     * A verification expired from the punctuator.
     *
     * @param lagMillis wall-clock time of the punctuation minus the deadline that fired, i.e. the code's
     *                  {@code expiresAt} (or {@code expiresAt + resultGrace} when the expiry was held for a check in
     *                  flight); never negative. The EOS commit that publishes the event comes on top.
     */
    void expired(long lagMillis);

    /**
     * A {@code VerificationSent} was handed to the producer (a first code or a resent one).
     *
     * @param sinceAdmissionMillis the step's time minus the admission of the request (or resend) it answers: the
     *                             permit round trip, the worker's hop, E-goi's call and the result's hop. The hops
     *                             from the client to the lifecycle, and to a {@code read_committed} reader, come on
     *                             top. Never negative.
     */
    default void sent(long sinceAdmissionMillis) {
    }

    /** A {@code VerificationFailed} was handed to the producer. */
    default void failed(FailureReason reason) {
    }

    /** A {@code ResendRejected} was handed to the producer. */
    default void resendRejected(ResendRejectReason reason) {
    }

    /**
     * A worker's send or resend result reported a call start outside the window the call must have started in on
     * this instance's clock (after its command's {@code issuedAt}, before the step folding the result): the worker's
     * clock and this one disagree by at least {@code skew} ({@code InFlight.skewSeen}). Positive: the worker is ahead;
     * negative: behind. Never zero; results inside the window are not told.
     */
    default void workerClockSkew(Duration skew) {
    }
}
