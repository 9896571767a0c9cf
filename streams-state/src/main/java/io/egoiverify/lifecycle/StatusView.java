package io.egoiverify.lifecycle;

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
 * @param sendCount         codes sent so far (0 before the first; a resend under way counts once its code went out,
 *                          or once its outcome is unknown)
 * @param expiresAt         when the latest code sent expires (or expired); null before the first send
 * @param attemptsRemaining wrong codes still allowed; 0 once ended
 * @param resendAvailableAt when a resend would be accepted by the verification's own rules (a per-number limit may
 *                          still refuse it); null when waiting alone never makes one acceptable: not sent yet or a
 *                          send under way, ended, no sends left, or the cooldown ends after the code expires
 * @param terminal          a terminal outcome has been published
 */
public record StatusView(String requestId, Phase status, String phoneNumberMasked, int sendCount, Instant expiresAt,
                         int attemptsRemaining, Instant resendAvailableAt, boolean terminal) {

    /** The contract's {@code status} values. */
    public enum Phase {
        /**
         * An SMS is about to go out: the first (waiting for the per-number permit or for the send call), or a resend's
         * new code (a code submitted meanwhile is answered NOT_SENT_YET).
         */
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
            case AWAITING_PERMIT, SENDING, AWAITING_RESEND_PERMIT, RESENDING -> Phase.PENDING_SEND;
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
        return Optional.of(new StatusView(state.requestId(), phase, state.phoneMasked(), state.sendCount(),
                state.expiresAt(), terminal ? 0 : state.attemptsRemaining(), state.resendAvailableAt(),
                terminal));
    }
}
