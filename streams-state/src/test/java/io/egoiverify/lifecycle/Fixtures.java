package io.egoiverify.lifecycle;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.internal.CancelVerification;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommandResult;
import java.time.Instant;
import java.util.Map;

/** Test events and a one-line rendering of outputs for readable assertions. */
public final class Fixtures {
    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    public static final String PHONE = "+351910000000";
    public static final String SECRET_CODE = "739251";

    private Fixtures() {
    }

    public static VerificationRequested.Builder request(String requestId, Instant at) {
        return VerificationRequested.newBuilder().setRequestId(requestId).setPhoneNumber(PHONE).setRequestedAt(at)
                .setMetadata(Map.of("user", "u-1"));
    }

    public static CodeSubmitted submit(String requestId, String submissionId, String code, Instant at) {
        return CodeSubmitted.newBuilder().setRequestId(requestId).setSubmissionId(submissionId).setCode(code)
                .setSubmittedAt(at).build();
    }

    public static VerificationCancelRequested cancel(String requestId, String reason, Instant at) {
        return VerificationCancelRequested.newBuilder().setRequestId(requestId).setReason(reason).setRequestedAt(at)
                .build();
    }

    public static VerificationCommandResult result(String requestId, String commandId, CommandStatus status,
                                                   Instant at) {
        VerificationCommandResult.Builder b = VerificationCommandResult.newBuilder().setRequestId(requestId)
                .setCommandId(commandId).setCompletedAt(at).setStatus(status).setProviderCalls(1)
                .setDetail("test " + status);
        if (status == CommandStatus.SENT) {
            b.setProviderRequestId("egoi-" + requestId).setCallStartedAt(at);
        }
        return b.build();
    }

    public static VerificationResendRequested resend(String requestId, Instant at) {
        return VerificationResendRequested.newBuilder().setRequestId(requestId).setReason("user asked")
                .setRequestedAt(at).build();
    }

    /**
     * A compact description of an output: {@code Sent} (first code), {@code Sent:2} (second), {@code
     * Rejected:WRONG_CODE:4}, {@code ResendRejected:COOLDOWN:20}, {@code Send}, {@code Resend:2}, {@code
     * CancelAtEgoi}, …
     */
    public static String describe(Output output) {
        if (output instanceof Output.Notify n) {
            return "Notify:" + n.notice().kind();
        }
        if (output instanceof Output.Issue i) {
            Object action = i.command().getAction();
            return action instanceof SendCode ? "Send" : action instanceof CheckCode ? "Check"
                    : action instanceof ResendCode r ? "Resend:" + r.getSendCount()
                    : action instanceof CancelVerification ? "CancelAtEgoi" : "Command?";
        }
        Object e = ((Output.Publish) output).event();
        if (e instanceof VerificationSent s) {
            return s.getSendCount() == 1 ? "Sent" : "Sent:" + s.getSendCount();
        } else if (e instanceof ResendRejected r) {
            return "ResendRejected:" + r.getReason() + ":" + r.getRetryAfterSeconds();
        } else if (e instanceof CodeRejected r) {
            return "Rejected:" + r.getReason() + ":" + r.getAttemptsRemaining();
        } else if (e instanceof VerificationVerified v) {
            return "Verified:" + v.getAttemptsUsed();
        } else if (e instanceof VerificationExpired x) {
            return "Expired:" + x.getAttemptsUsed();
        } else if (e instanceof VerificationCancelled) {
            return "Cancelled";
        } else if (e instanceof VerificationFailed f) {
            return "Failed:" + f.getReason();
        }
        return e.getClass().getSimpleName();
    }
}
