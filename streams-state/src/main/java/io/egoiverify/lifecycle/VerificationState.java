package io.egoiverify.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the lifecycle remembers about one {@code requestId}. Immutable. It never holds a submitted code nor the full
 * phone number (only the masked form): the number travels in the send command, admitted in the same step.
 *
 * @param requestId          the verification
 * @param status             where it is
 * @param metadata           echoed on every outcome
 * @param senderProfile      profile used for its commands (null while CANCEL_PENDING)
 * @param phoneMasked        masked E.164 number for VerificationSent (null while CANCEL_PENDING or after an invalid
                             request)
 * @param codeSize           code length, to answer INVALID_CODE without asking E-goi
 * @param ttlSeconds         code TTL
 * @param maxAttempts        wrong codes allowed
 * @param wrongCodes         wrong codes so far
 * @param providerRequestId  E-goi's id once sent
 * @param expiresAt          code deadline once sent
 * @param inFlight           the outstanding command, or null; while a permit is awaited, the command the number
 *                           guard issues if it grants (its id derived from the permit's), or null when the lifecycle
 *                           issues it on the verdict
 * @param checkedSubmissions submissions admitted for a check, in order, the most recent
 *                           {@link LifecycleConfig#CHECKED_SUBMISSIONS_KEPT} (their count is the attempts used)
 * @param otherSubmissions   the most recent submissions answered without a check, for de-duplication (bounded)
 * @param cancelReason       the cancel's reason (CANCEL_PENDING, CANCELLED)
 * @param failureReason      FailureReason name when FAILED
 * @param wakeAt             the next instant at which time alone changes this state (deadline, expiry, purge)
 * @param numberHash         HMAC of the number, to tell the number guard about failed checks and the end (null when
 *                           per-number limits are off or before validation)
 * @param permitId           the permit asked for this verification (null when limits are off)
 * @param pendingSend        what the send needs once permitted, the number sealed; exactly while AWAITING_PERMIT
 * @param sendCount          codes that went out or may have (a VerificationSent for each, or a resend whose outcome
 *                           is unknown); 0 before the first
 * @param lastSendAt         start of the latest send that may have reached the phone (the base of the resend
 *                           cooldown); null before the first send
 * @param maxSends           codes this verification may send, the first included (0 before admission)
 * @param resendCooldown     minimum time between the start of a send and a resend (ZERO before admission)
 * @param resendSeed         what a resend by a new send needs (the guide's API), the number sealed; null without a
 *                           number key, and after the end
 * @param pendingResend      the resend waiting for the number guard's permit; exactly while AWAITING_RESEND_PERMIT
 */
public record VerificationState(String requestId, Status status, Map<String, String> metadata, String senderProfile,
                                String phoneMasked, int codeSize, int ttlSeconds, int maxAttempts, int wrongCodes,
                                String providerRequestId, Instant expiresAt, InFlight inFlight,
                                List<String> checkedSubmissions, List<String> otherSubmissions, String cancelReason,
                                String failureReason, Instant wakeAt, String numberHash, String permitId,
                                PendingSend pendingSend, int sendCount, Instant lastSendAt, int maxSends,
                                Duration resendCooldown, SealedSend resendSeed, PendingResend pendingResend) {

    /**
     * The send, parked while the permit is awaited.
     *
     * @param sealedNumber the E.164 number encrypted by {@link NumberKeys#seal} (never in clear in state)
     * @param codeType     E-goi codeType
     * @param message      SMS template
     * @param group        E-goi group or null
     * @param sendDeadline no send may start after it
     */
    public record PendingSend(String sealedNumber, String codeType, String message, String group,
                              Instant sendDeadline) {
        public PendingSend {
            Objects.requireNonNull(sealedNumber, "sealedNumber");
            Objects.requireNonNull(codeType, "codeType");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(sendDeadline, "sendDeadline");
        }

        @Override
        public String toString() {
            return "PendingSend[sendDeadline=" + sendDeadline + "]";
        }
    }

    /**
     * What a new send of the same verification needs (the guide's API resends by sending again), the number sealed.
     *
     * @param sealedNumber the E.164 number encrypted by {@link NumberKeys#seal}
     * @param codeType     E-goi codeType
     * @param message      SMS template
     * @param group        E-goi group or null
     */
    public record SealedSend(String sealedNumber, String codeType, String message, String group) {
        public SealedSend {
            Objects.requireNonNull(sealedNumber, "sealedNumber");
            Objects.requireNonNull(codeType, "codeType");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return "SealedSend[***]";
        }
    }

    /**
     * A resend waiting for the number guard's permit.
     *
     * @param permitId the resend's permit ({@code requestId/permit-resend-<n>/<millis>})
     * @param deadline no resend call may start after it
     */
    public record PendingResend(String permitId, Instant deadline) {
        public PendingResend {
            Objects.requireNonNull(permitId, "permitId");
            Objects.requireNonNull(deadline, "deadline");
        }
    }

    public VerificationState {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(wakeAt, "wakeAt");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        checkedSubmissions = checkedSubmissions == null ? List.of() : List.copyOf(checkedSubmissions);
        otherSubmissions = otherSubmissions == null ? List.of() : List.copyOf(otherSubmissions);
        Objects.requireNonNull(resendCooldown, "resendCooldown");
        boolean awaitingPermit = status == Status.AWAITING_PERMIT || status == Status.AWAITING_RESEND_PERMIT;
        if (!awaitingPermit && (status == Status.SENDING || status == Status.CHECKING || status == Status.RESENDING)
                != (inFlight != null)) {
            // While a permit is awaited, inFlight is the command the number guard issues if it grants (or null when
            // the lifecycle issues it on the verdict).
            throw new IllegalArgumentException("a command is in flight exactly while SENDING, CHECKING or RESENDING "
                    + "(and may be while a permit is awaited)");
        }
        if ((status == Status.AWAITING_PERMIT) != (pendingSend != null)) {
            throw new IllegalArgumentException("a send is parked exactly while AWAITING_PERMIT");
        }
        if ((status == Status.AWAITING_RESEND_PERMIT) != (pendingResend != null)) {
            throw new IllegalArgumentException("a resend is parked exactly while AWAITING_RESEND_PERMIT");
        }
    }

    /** A resend was accepted and has not been answered yet (its permit or its command is pending). */
    public boolean resending() {
        return status == Status.AWAITING_RESEND_PERMIT || status == Status.RESENDING;
    }

    /**
     * When a resend would be accepted by this verification's own rules (the per-number send limit aside): the end of
     * the cooldown, possibly already past. Null when no resend applies now or ever: before the first code is sent,
     * while a resend is under way, after the end, when every allowed code was sent, or when the cooldown outlasts the
     * code (a resend must come before the code expires).
     */
    public Instant resendAvailableAt() {
        if ((status != Status.SENT && status != Status.CHECKING) || sendCount >= maxSends || lastSendAt == null) {
            return null;
        }
        Instant at = lastSendAt.plus(resendCooldown);
        return expiresAt != null && !at.isBefore(expiresAt) ? null : at;
    }

    /**
     * Checks admitted so far, counted up to {@link LifecycleConfig#CHECKED_SUBMISSIONS_KEPT} (the checked ids kept):
     * the {@code attemptsUsed} of outcomes.
     */
    public int attemptsUsed() {
        return checkedSubmissions.size();
    }

    /** Wrong codes still allowed. */
    public int attemptsRemaining() {
        return Math.max(0, maxAttempts - wrongCodes);
    }

    public boolean seen(String submissionId) {
        return checkedSubmissions.contains(submissionId) || otherSubmissions.contains(submissionId);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder(String requestId, Status status, Instant wakeAt) {
        return new Builder(requestId, status, wakeAt);
    }

    /** Copy-with helper: the record has too many fields for readable {@code with…} methods. */
    public static final class Builder {
        private final String requestId;
        private Status status;
        private Map<String, String> metadata = Map.of();
        private String senderProfile;
        private String phoneMasked;
        private int codeSize;
        private int ttlSeconds;
        private int maxAttempts;
        private int wrongCodes;
        private String providerRequestId;
        private Instant expiresAt;
        private InFlight inFlight;
        private List<String> checkedSubmissions = List.of();
        private List<String> otherSubmissions = List.of();
        private String cancelReason;
        private String failureReason;
        private Instant wakeAt;
        private String numberHash;
        private String permitId;
        private PendingSend pendingSend;
        private int sendCount;
        private Instant lastSendAt;
        private int maxSends;
        private Duration resendCooldown = Duration.ZERO;
        private SealedSend resendSeed;
        private PendingResend pendingResend;

        private Builder(String requestId, Status status, Instant wakeAt) {
            this.requestId = requestId;
            this.status = status;
            this.wakeAt = wakeAt;
        }

        private Builder(VerificationState s) {
            this(s.requestId, s.status, s.wakeAt);
            metadata = s.metadata;
            senderProfile = s.senderProfile;
            phoneMasked = s.phoneMasked;
            codeSize = s.codeSize;
            ttlSeconds = s.ttlSeconds;
            maxAttempts = s.maxAttempts;
            wrongCodes = s.wrongCodes;
            providerRequestId = s.providerRequestId;
            expiresAt = s.expiresAt;
            inFlight = s.inFlight;
            checkedSubmissions = s.checkedSubmissions;
            otherSubmissions = s.otherSubmissions;
            cancelReason = s.cancelReason;
            failureReason = s.failureReason;
            numberHash = s.numberHash;
            permitId = s.permitId;
            pendingSend = s.pendingSend;
            sendCount = s.sendCount;
            lastSendAt = s.lastSendAt;
            maxSends = s.maxSends;
            resendCooldown = s.resendCooldown;
            resendSeed = s.resendSeed;
            pendingResend = s.pendingResend;
        }

        public String requestId() { return requestId; }
        public Builder status(Status v) { status = v; return this; }
        public Builder metadata(Map<String, String> v) { metadata = v; return this; }
        public Builder senderProfile(String v) { senderProfile = v; return this; }
        public Builder phoneMasked(String v) { phoneMasked = v; return this; }
        public Builder codeSize(int v) { codeSize = v; return this; }
        public Builder ttlSeconds(int v) { ttlSeconds = v; return this; }
        public Builder maxAttempts(int v) { maxAttempts = v; return this; }
        public Builder wrongCodes(int v) { wrongCodes = v; return this; }
        public Builder providerRequestId(String v) { providerRequestId = v; return this; }
        public Builder expiresAt(Instant v) { expiresAt = v; return this; }
        public Builder inFlight(InFlight v) { inFlight = v; return this; }
        public Builder checkedSubmissions(List<String> v) { checkedSubmissions = v; return this; }
        public Builder otherSubmissions(List<String> v) { otherSubmissions = v; return this; }
        public Builder cancelReason(String v) { cancelReason = v; return this; }
        public Builder failureReason(String v) { failureReason = v; return this; }
        public Builder wakeAt(Instant v) { wakeAt = v; return this; }
        public Builder numberHash(String v) { numberHash = v; return this; }
        public Builder permitId(String v) { permitId = v; return this; }
        public Builder pendingSend(PendingSend v) { pendingSend = v; return this; }
        public Builder sendCount(int v) { sendCount = v; return this; }
        public Builder lastSendAt(Instant v) { lastSendAt = v; return this; }
        public Builder maxSends(int v) { maxSends = v; return this; }
        public Builder resendCooldown(Duration v) { resendCooldown = v; return this; }
        public Builder resendSeed(SealedSend v) { resendSeed = v; return this; }
        public Builder pendingResend(PendingResend v) { pendingResend = v; return this; }
        public Builder resend(ResendPolicy v) { maxSends = v.maxSends(); resendCooldown = v.cooldown(); return this; }

        public VerificationState build() {
            return new VerificationState(requestId, status, metadata, senderProfile, phoneMasked, codeSize,
                    ttlSeconds, maxAttempts, wrongCodes, providerRequestId, expiresAt, inFlight, checkedSubmissions,
                    otherSubmissions, cancelReason, failureReason, wakeAt, numberHash, permitId, pendingSend, sendCount,
                    lastSendAt, maxSends, resendCooldown, resendSeed, pendingResend);
        }
    }
}
