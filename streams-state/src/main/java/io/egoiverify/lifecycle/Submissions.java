package io.egoiverify.lifecycle;

import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.FailureReason;
import io.egoiverify.events.RejectReason;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Submissions and worker results: what is checked with E-goi, and what each answer means. */
final class Submissions {
    private static final Pattern CODE_CHARS = Pattern.compile("[A-Za-z0-9]+");
    private static final int MAX_DETAIL = 200;
    /** VerificationCancelled.reason when E-goi reported the verification cancelled. */
    static final String PROVIDER_CANCELLED = "cancelled at E-goi (the provider reports the verification as cancelled)";

    private final LifecycleConfig config;
    private final Endings endings;

    Submissions(LifecycleConfig config, Endings endings) {
        this.config = config;
        this.endings = endings;
    }

    Transition submitted(VerificationState state, CodeSubmitted s, Instant now) {
        String submissionId = s.getSubmissionId();
        if (state == null) {
            return new Transition(null, null, List.of(Outcomes.rejected(s.getRequestId(), Map.of(), submissionId,
                    RejectReason.UNKNOWN_REQUEST, 0, now)), null);
        }
        if (submissionId.length() > LifecycleConfig.SUBMISSION_ID_MAX_LENGTH) {
            // Not remembered (so it cannot be recognised when redelivered), hence never checked: the submission is
            // malformed, like a malformed code. The state is unchanged.
            return new Transition(state, state, List.of(Outcomes.rejected(state.requestId(), state.metadata(),
                    submissionId, RejectReason.INVALID_CODE, remaining(state), now)), null);
        }
        if (state.seen(submissionId)) {
            return Transition.ignored(state, "duplicate submission");
        }
        if (state.status() == Status.SENT && validCode(s.getCode(), state.codeSize())) {
            return admitCheck(state, s, now);
        }
        VerificationState remembered = state.toBuilder().otherSubmissions(remember(state.otherSubmissions(),
                submissionId)).build();
        RejectReason reason = switch (state.status()) {
            case CANCEL_PENDING, CANCELLED -> RejectReason.CANCELLED;
            // While a resend is under way the code a submission holds is about to be replaced, and the one command a
            // verification may have in flight is the resend: the new code is "not sent yet".
            case SENDING, AWAITING_PERMIT, AWAITING_RESEND_PERMIT, RESENDING -> RejectReason.NOT_SENT_YET;
            case SENT -> RejectReason.INVALID_CODE;
            case CHECKING -> RejectReason.CHECK_IN_PROGRESS;
            case VERIFIED -> RejectReason.ALREADY_VERIFIED;
            case EXPIRED -> RejectReason.EXPIRED;
            case FAILED -> FailureReason.MAX_ATTEMPTS_REACHED.name().equals(state.failureReason())
                    ? RejectReason.TOO_MANY_ATTEMPTS : RejectReason.FAILED;
        };
        return new Transition(state, remembered, List.of(Outcomes.rejected(state.requestId(), state.metadata(),
                submissionId, reason, remaining(state), now)), null);
    }

    /** The attemptsRemaining of a CodeRejected answered without a check. */
    private static int remaining(VerificationState state) {
        return state.status().terminal() || state.status() == Status.CANCEL_PENDING ? 0 : state.attemptsRemaining();
    }

    private Transition admitCheck(VerificationState state, CodeSubmitted s, Instant now) {
        List<String> checked = new ArrayList<>(state.checkedSubmissions());
        checked.add(s.getSubmissionId());
        // The number stops growing past the ids kept: the admission instant alone keeps such ids apart (one check in
        // flight at a time, each admitted after the previous one's result came back).
        String commandId = CommandIds.check(state.requestId(), checked.size(), now);
        VerificationState checking = state.toBuilder().status(Status.CHECKING)
                .checkedSubmissions(newest(checked, LifecycleConfig.CHECKED_SUBMISSIONS_KEPT))
                .inFlight(new InFlight(commandId, s.getSubmissionId(), now, state.expiresAt()))
                .wakeAt(state.expiresAt().plus(config.resultGrace())).build();
        VerificationCommand command = Commands.of(commandId, state.requestId(), now, state.expiresAt(),
                state.senderProfile(), CheckCode.newBuilder().setProviderRequestId(state.providerRequestId())
                        .setSubmissionId(s.getSubmissionId()).setCode(s.getCode()).build());
        return new Transition(state, checking, List.of(new Output.Issue(command)), null);
    }

    Transition result(VerificationState state, VerificationCommandResult r, Instant now) {
        if (state == null || state.inFlight() == null || !state.inFlight().commandId().equals(r.getCommandId())) {
            return Transition.ignored(state, "result for a command not in flight");
        }
        List<Output> outputs = new ArrayList<>();
        VerificationState next = state.inFlight().isCheck()
                ? checkResult(state, r, now, outputs) : sendResult(state, r, now, outputs);
        return new Transition(state, next, outputs, null);
    }

    private VerificationState sendResult(VerificationState state, VerificationCommandResult r, Instant now,
                                         List<Output> outputs) {
        switch (r.getStatus()) {
            case SENT:
                if (r.getProviderRequestId() == null || r.getProviderRequestId().isBlank()) {
                    return endings.failed(state, FailureReason.PROVIDER_UNAVAILABLE,
                            "send result without a provider request id", now, outputs);
                }
                Instant started = state.inFlight().callStart(r.getCallStartedAt(), now);
                Instant expiresAt = started.plusSeconds(state.ttlSeconds());
                VerificationState sent = state.toBuilder().status(Status.SENT).inFlight(null)
                        .providerRequestId(r.getProviderRequestId()).expiresAt(expiresAt).wakeAt(expiresAt)
                        .sendCount(1).lastSendAt(started).build();
                outputs.add(Outcomes.sent(sent, now));
                return sent;
            case REJECTED:
                return endings.failed(state, FailureReason.PROVIDER_REJECTED,
                        "the provider rejected the send: " + detail(r), now, outputs);
            default:
                // UNAVAILABLE, DEADLINE_PASSED, UNKNOWN, or a check status on a send: no SMS is known to have gone.
                return endings.failed(state, FailureReason.PROVIDER_UNAVAILABLE,
                        "send " + r.getStatus() + ": " + detail(r), now, outputs);
        }
    }

    private VerificationState checkResult(VerificationState state, VerificationCommandResult r, Instant now,
                                          List<Output> outputs) {
        String submissionId = state.inFlight().submissionId();
        VerificationState open = state.toBuilder().status(Status.SENT).inFlight(null).wakeAt(state.expiresAt())
                .build();
        switch (r.getStatus()) {
            case VERIFIED, ALREADY_VERIFIED:
                // ALREADY_VERIFIED while our own check is in flight means an earlier call of this same check
                // succeeded (a retry): no terminal is published yet, so this is the verification's success.
                return endings.verified(open, now, outputs);
            case WRONG_CODE:
                VerificationState wrong = open.toBuilder().wrongCodes(state.wrongCodes() + 1).build();
                outputs.add(Outcomes.rejected(state.requestId(), state.metadata(), submissionId,
                        RejectReason.WRONG_CODE, wrong.attemptsRemaining(), now));
                if (wrong.attemptsRemaining() == 0) {
                    return endings.failed(wrong, FailureReason.MAX_ATTEMPTS_REACHED,
                            "wrong code " + wrong.wrongCodes() + " times", now, outputs);
                }
                return wrong;
            case CODE_EXPIRED:
                outputs.add(Outcomes.rejected(state.requestId(), state.metadata(), submissionId,
                        RejectReason.EXPIRED, 0, now));
                return endings.expired(open, now, outputs);
            case CANCELLED:
                // E-goi says the verification is cancelled (by someone else, or it gave up on it): no code can verify
                // any more, so it ends here too. No cancel call: E-goi has it cancelled already.
                outputs.add(Outcomes.rejected(state.requestId(), state.metadata(), submissionId,
                        RejectReason.CANCELLED, 0, now));
                return endings.cancelled(open, PROVIDER_CANCELLED, true, now, outputs);
            default:
                // REJECTED, UNAVAILABLE, DEADLINE_PASSED, UNKNOWN: the code was not judged. The attempt is not
                // counted and the verification stays open; the submitter may submit again (a new submissionId).
                outputs.add(Outcomes.rejected(state.requestId(), state.metadata(), submissionId,
                        RejectReason.FAILED, open.attemptsRemaining(), now));
                return open;
        }
    }

    private List<String> remember(List<String> seen, String submissionId) {
        List<String> next = new ArrayList<>(seen);
        next.add(submissionId);
        return newest(next, config.maxRememberedSubmissions());
    }

    /** The last {@code max} ids of {@code ids} (oldest first). */
    private static List<String> newest(List<String> ids, int max) {
        return ids.size() <= max ? ids : ids.subList(ids.size() - max, ids.size());
    }

    private static boolean validCode(String code, int codeSize) {
        return code != null && code.length() == codeSize && CODE_CHARS.matcher(code).matches();
    }

    private static String detail(VerificationCommandResult r) {
        String d = r.getDetail() == null ? "" : r.getDetail();
        return d.length() > MAX_DETAIL ? d.substring(0, MAX_DETAIL) : d;
    }
}
