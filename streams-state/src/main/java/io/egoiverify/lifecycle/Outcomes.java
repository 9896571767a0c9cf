package io.egoiverify.lifecycle;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.FailureReason;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import java.time.Instant;
import java.util.Map;

/** Builds outcome events: {@code occurredAt} is the step's {@code now}, metadata comes from the state. */
final class Outcomes {
    private Outcomes() {
    }

    static Output sent(VerificationState s, Instant now) {
        return new Output.Publish(VerificationSent.newBuilder().setRequestId(s.requestId()).setOccurredAt(now)
                .setMetadata(s.metadata()).setProviderRequestId(s.providerRequestId())
                .setPhoneNumberMasked(s.phoneMasked()).setExpiresAt(s.expiresAt()).setMaxAttempts(s.maxAttempts())
                .setSendCount(s.sendCount()).build());
    }

    static Output resendRejected(String requestId, Map<String, String> metadata, ResendRejectReason reason,
                                 int retryAfterSeconds, Instant now) {
        return new Output.Publish(ResendRejected.newBuilder().setRequestId(requestId).setOccurredAt(now)
                .setMetadata(metadata).setReason(reason).setRetryAfterSeconds(retryAfterSeconds).build());
    }

    static Output rejected(String requestId, Map<String, String> metadata, String submissionId, RejectReason reason,
                           int attemptsRemaining, Instant now) {
        return new Output.Publish(CodeRejected.newBuilder().setRequestId(requestId).setOccurredAt(now)
                .setMetadata(metadata).setSubmissionId(submissionId).setReason(reason)
                .setAttemptsRemaining(attemptsRemaining).build());
    }

    static Output verified(VerificationState s, Instant now) {
        return new Output.Publish(VerificationVerified.newBuilder().setRequestId(s.requestId()).setOccurredAt(now)
                .setMetadata(s.metadata()).setAttemptsUsed(s.attemptsUsed()).build());
    }

    static Output expired(VerificationState s, Instant now) {
        return new Output.Publish(VerificationExpired.newBuilder().setRequestId(s.requestId()).setOccurredAt(now)
                .setMetadata(s.metadata()).setAttemptsUsed(s.attemptsUsed()).build());
    }

    static Output cancelled(VerificationState s, String reason, Instant now) {
        return new Output.Publish(VerificationCancelled.newBuilder().setRequestId(s.requestId()).setOccurredAt(now)
                .setMetadata(s.metadata()).setReason(reason).build());
    }

    static Output failed(String requestId, Map<String, String> metadata, FailureReason reason, String detail,
                         Instant now) {
        return new Output.Publish(VerificationFailed.newBuilder().setRequestId(requestId).setOccurredAt(now)
                .setMetadata(metadata).setReason(reason).setDetail(detail).build());
    }
}
