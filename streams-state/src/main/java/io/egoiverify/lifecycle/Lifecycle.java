package io.egoiverify.lifecycle;

import io.egoiverify.events.FailureReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The verification lifecycle as a pure function: {@code (state, input, now) → (new state, outputs)}. No I/O, no
 * clock of its own, deterministic. Deadlines that are due at {@code now} fire before the input is applied (time
 * order), and again after it, so a returned state never has a deadline in the past.
 */
public final class Lifecycle {
    private final LifecycleConfig config;
    private final Admissions admissions;
    private final Submissions submissions;
    private final Resends resends;
    private final Endings endings;

    public Lifecycle(LifecycleConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        // Null when per-number limits are off: no permits, and nothing sealed for a resend by a new send.
        NumberKeys numberKeys = config.abuse().enabled() ? new NumberKeys(config.abuse().numberKey()) : null;
        this.endings = new Endings(config);
        this.admissions = new Admissions(config, endings, numberKeys);
        this.submissions = new Submissions(config, endings);
        this.resends = new Resends(config, endings, numberKeys);
    }

    public LifecycleConfig config() {
        return config;
    }

    /**
     * One step.
     *
     * @param state the current state of {@code input.requestId()}, or null if there is none
     * @param input what happened
     * @param now   the wall-clock instant of the step; every outcome's {@code occurredAt}
     */
    public Transition apply(VerificationState state, Input input, Instant now) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(now, "now");
        List<Output> outputs = new ArrayList<>();
        VerificationState current = fireIfDue(state, now, outputs);
        String note = null;
        if (!(input instanceof Input.Tick)) {
            Transition step = step(current, input, now);
            outputs.addAll(step.outputs());
            note = step.note();
            current = fireIfDue(step.state(), now, outputs);
        } else if (current == state) {
            note = "nothing due";
        }
        if (config.abuse().enabled()) {
            // Without per-number limits there is no guard, nor a permit topic to tell it on: a verification admitted
            // while they were on (abuse.enabled switched off) ends without a notice. Told, the topology failed the
            // task on that record after every restart.
            notifyGuard(state, current, now, outputs);
        }
        return new Transition(state, current, outputs, outputs.isEmpty() && current == state ? note : null);
    }

    private Transition step(VerificationState state, Input input, Instant now) {
        if (input instanceof Input.Requested r) {
            return admissions.requested(state, r.event(), now);
        } else if (input instanceof Input.Submitted s) {
            return submissions.submitted(state, s.event(), now);
        } else if (input instanceof Input.CancelRequested c) {
            return cancelRequested(state, cancelReason(c.event().getReason()), c.requestId(), now);
        } else if (input instanceof Input.ResendRequested r) {
            return resends.requested(state, r.event(), now);
        } else if (input instanceof Input.Result r) {
            VerificationState awaited = state;
            if (state != null && state.inFlight() != null
                    && state.inFlight().commandId().equals(r.result().getCommandId())) {
                // The result of the command the guard issued may come before the verdict (another topic): folded as
                // if the verdict had come first.
                if (state.status() == Status.AWAITING_PERMIT) {
                    awaited = admissions.commandIssued(state, now);
                } else if (state.status() == Status.AWAITING_RESEND_PERMIT) {
                    awaited = resends.commandIssued(state, now);
                }
                if (awaited.status() == Status.RESENDING) {
                    return resends.result(awaited, r.result(), now);
                }
            }
            return submissions.result(awaited, r.result(), now);
        } else if (input instanceof Input.Verdict v) {
            if (state != null && state.pendingResend() != null
                    && state.pendingResend().permitId().equals(v.verdict().permitId())) {
                return resends.verdict(state, v.verdict(), now);
            }
            return admissions.verdict(state, v.verdict(), now);
        }
        throw new IllegalArgumentException("unexpected input " + input.getClass().getSimpleName());
    }

    private VerificationState fireIfDue(VerificationState state, Instant now, List<Output> outputs) {
        if (state == null || state.wakeAt().isAfter(now)) {
            return state;
        }
        switch (state.status()) {
            case CANCEL_PENDING, VERIFIED, EXPIRED, CANCELLED, FAILED:
                return null; // forgotten / purged after retention
            case SENDING:
                return endings.failed(state, FailureReason.PROVIDER_UNAVAILABLE,
                        "no send result from the provider before the send deadline", now, outputs);
            case AWAITING_PERMIT:
                // With the guard issuing the send this is its deadline + resultGrace, as for SENDING.
                return endings.failed(state, FailureReason.PROVIDER_UNAVAILABLE, state.inFlight() == null
                        ? Admissions.NO_VERDICT : "no rate-limit verdict or send result before the send deadline",
                        now, outputs);
            case SENT, CHECKING:
                // CHECKING reaches here only after expiresAt + resultGrace: the check in flight is given up.
                return endings.expired(state, now, outputs);
            case AWAITING_RESEND_PERMIT, RESENDING:
                // No verdict / no result in time: the resend failed; the old code stands if it has not run out.
                return resends.gaveUp(state, now, outputs);
            default:
                throw new IllegalStateException("unhandled status " + state.status());
        }
    }

    /**
     * Tells the number guard what it counts: a wrong code (failed check) and the end of a verification it admitted
     * (frees its "active" slot). Derived from the states, so no transition can forget it.
     */
    private static void notifyGuard(VerificationState before, VerificationState after, Instant now,
                                    List<Output> outputs) {
        if (before == null || before.numberHash() == null || before.permitId() == null
                || before.status().terminal()) {
            return;
        }
        if (after != null && after.wrongCodes() > before.wrongCodes()) {
            outputs.add(new Output.Notify(new NumberNotice(NumberNotice.Kind.FAILED_CHECK, before.numberHash(),
                    before.requestId(), before.permitId(), now)));
        }
        if (after == null || after.status().terminal()) {
            outputs.add(new Output.Notify(new NumberNotice(NumberNotice.Kind.ENDED, before.numberHash(),
                    before.requestId(), before.permitId(), now)));
        }
    }

    /**
     * The client's free text, bounded before it is stored or echoed: a state must never outgrow the changelog's
     * record limit ({@link LifecycleConfig#CANCEL_REASON_MAX_LENGTH}).
     */
    static String cancelReason(String reason) {
        int max = LifecycleConfig.CANCEL_REASON_MAX_LENGTH;
        if (reason == null || reason.length() <= max) {
            return reason;
        }
        return reason.substring(0, Character.isHighSurrogate(reason.charAt(max - 1)) ? max - 1 : max);
    }

    private Transition cancelRequested(VerificationState state, String reason, String requestId, Instant now) {
        if (state == null) {
            VerificationState pending = VerificationState.builder(requestId, Status.CANCEL_PENDING,
                    now.plus(config.pendingCancelMemory())).cancelReason(reason).build();
            return new Transition(null, pending, List.of(), null);
        }
        if (state.status() == Status.CANCEL_PENDING || state.status().terminal()) {
            return Transition.ignored(state, "cancel of a verification that is already " + state.status());
        }
        List<Output> outputs = new ArrayList<>();
        VerificationState cancelled = endings.cancelled(state, reason, false, now, outputs);
        return new Transition(state, cancelled, outputs, null);
    }
}
