package io.egoiverify.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the status query tells a registration service about one verification: the public view of a
 * {@link VerificationState}. It holds no code, no full number and not E-goi's id — the state has no code, and the
 * view copies only the masked number.
 *
 * <p>The mapping is a pure function of the stored state (no clock): times are absolute, so a
 * {@code resendAvailableAt} in the past means "now".
 *
 * @param requestId         the verification
 * @param status            where it stands, in the contract's terms
 * @param phoneNumberMasked the number as {@code VerificationSent} shows it; null when the request was invalid
 * @param sendCount         codes sent so far (0 before the first)
 * @param expiresAt         when the latest code expires (or expired); null before the first send
 * @param attemptsRemaining wrong codes still allowed; 0 once ended
 * @param resendAvailableAt when a resend would be accepted; null when waiting alone never makes one acceptable (not
 *                          sent yet, ended, no sends left, or the cooldown ends after the code expires)
 * @param terminal          a terminal outcome has been published
 */
public record StatusView(String requestId, Phase status, String phoneNumberMasked, int sendCount, Instant expiresAt,
                         int attemptsRemaining, Instant resendAvailableAt, boolean terminal) {

    /**
     * Until the lifecycle keeps resend state, the documented defaults of {@code lifecycle.resend-cooldown} and
     * {@code lifecycle.max-sends}; one code has been sent by every verification that was sent.
     */
    static final Duration RESEND_COOLDOWN = Duration.ofSeconds(30);
    static final int MAX_SENDS = 3;

    /** The contract's {@code status} values. */
    public enum Phase {
        /** Valid, the SMS not sent yet (waiting for the per-number permit or for the send call). */
        PENDING_SEND,
        SENT,
        /** A submitted code is being checked with E-goi. */
        CHECKING,
        VERIFIED,
        EXPIRED,
        CANCELLED,
        FAILED
    }

    public StatusView {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
    }

    /**
     * The view of {@code state}; empty for a state that is not a verification: a cancel remembered before its
     * request ({@link Status#CANCEL_PENDING}) answers like an unknown id.
     */
    public static Optional<StatusView> of(VerificationState state) {
        Phase phase = switch (state.status()) {
            case CANCEL_PENDING -> null;
            case AWAITING_PERMIT, SENDING -> Phase.PENDING_SEND;
            case SENT -> Phase.SENT;
            case CHECKING -> Phase.CHECKING;
            case VERIFIED -> Phase.VERIFIED;
            case EXPIRED -> Phase.EXPIRED;
            case CANCELLED -> Phase.CANCELLED;
            case FAILED -> Phase.FAILED;
        };
        if (phase == null) {
            return Optional.empty();
        }
        boolean terminal = state.status().terminal();
        int sendCount = state.expiresAt() == null ? 0 : 1;
        return Optional.of(new StatusView(state.requestId(), phase, state.phoneMasked(), sendCount,
                state.expiresAt(), terminal ? 0 : state.attemptsRemaining(),
                resendAvailableAt(state, phase, sendCount), terminal));
    }

    /**
     * The end of the cooldown since the latest send, while the verification is open and sent (also while a check is
     * in flight: it is short, and the cooldown is the earliest a resend can be accepted) and has sends left; null
     * when that instant would come only after the code expired.
     */
    private static Instant resendAvailableAt(VerificationState state, Phase phase, int sendCount) {
        if ((phase != Phase.SENT && phase != Phase.CHECKING) || sendCount >= MAX_SENDS || state.expiresAt() == null) {
            return null;
        }
        // The code's expiresAt is the start of its send call + TTL, so the send started TTL before it.
        Instant sentAt = state.expiresAt().minusSeconds(state.ttlSeconds());
        Instant available = sentAt.plus(RESEND_COOLDOWN);
        return available.isBefore(state.expiresAt()) ? available : null;
    }
}
