package io.egoiverify.lifecycle;

import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resends (CONTRACTS, {@code verification.resend-requested}): which request is accepted, the permit it needs with
 * per-number limits, the {@code ResendCode} command, and what its result means. A resend is accepted only while the
 * verification is SENT (sent, unexpired, not ended, nothing in flight), after the cooldown since the latest send and
 * below the verification's maximum number of codes; anything else is answered by a {@code ResendRejected}. An accepted
 * resend is answered by a new {@code VerificationSent}, a {@code ResendRejected(FAILED or RATE_LIMITED)}, or the
 * verification's terminal outcome if it ends first (cancel, supersede, expiry).
 */
final class Resends {
    private final LifecycleConfig config;
    private final Endings endings;
    /** Null when per-number limits are off (no permit, no sealed number for a new send). */
    private final NumberKeys numberKeys;

    Resends(LifecycleConfig config, Endings endings, NumberKeys numberKeys) {
        this.config = config;
        this.endings = endings;
        this.numberKeys = numberKeys;
    }

    Transition requested(VerificationState state, VerificationResendRequested r, Instant now) {
        if (state == null || state.status() == Status.CANCEL_PENDING) {
            // A cancel remembered before its request is no verification either.
            return rejected(state, r.getRequestId(), ResendRejectReason.UNKNOWN_REQUEST, 0, now);
        }
        if (state.status().terminal()) {
            return rejected(state, r.getRequestId(), ResendRejectReason.NOT_ACTIVE, 0, now);
        }
        if (state.resending()) {
            // A duplicate while one is under way: its send restarts the cooldown.
            return rejected(state, r.getRequestId(), ResendRejectReason.COOLDOWN,
                    Math.max(1, ceilSeconds(state.resendCooldown())), now);
        }
        if (Math.max(state.sendCount(), 1) + 1 > state.maxSends()) {
            return rejected(state, r.getRequestId(), ResendRejectReason.TOO_MANY_SENDS, 0, now);
        }
        return switch (state.status()) {
            case AWAITING_PERMIT -> rejected(state, r.getRequestId(), ResendRejectReason.NOT_SENT_YET,
                    Math.max(1, ceilSeconds(state.resendCooldown())), now);
            case SENDING -> rejected(state, r.getRequestId(), ResendRejectReason.NOT_SENT_YET,
                    retryAfter(state, state.inFlight().issuedAt().plus(state.resendCooldown()), now, 1), now);
            case CHECKING -> rejected(state, r.getRequestId(), ResendRejectReason.CHECK_IN_PROGRESS,
                    retryAfter(state, cooldownEnd(state), now, 1), now);
            case SENT -> cooldownEnd(state).isAfter(now)
                    ? rejected(state, r.getRequestId(), ResendRejectReason.COOLDOWN,
                            retryAfter(state, cooldownEnd(state), now, 1), now)
                    : accept(state, now);
            default -> throw new IllegalStateException("unhandled status " + state.status());
        };
    }

    private Transition accept(VerificationState state, Instant now) {
        int next = state.sendCount() + 1;
        Instant deadline = now.plus(config.sendDeadline());
        if (numberKeys != null && state.numberHash() != null) {
            return awaitPermit(state, next, deadline, now);
        }
        return issue(state, CommandIds.resend(state.requestId(), next, now), deadline, now);
    }

    /**
     * A resend is a send for the per-number limit: ask the guard first (as for the first send). With
     * {@code guardIssuesCommands} the request carries the resend, which the guard issues when it grants: its result
     * is then awaited as in RESENDING (verdict or not), until the command deadline (min(resend deadline, permit
     * deadline)) + resultGrace.
     */
    private Transition awaitPermit(VerificationState state, int next, Instant deadline, Instant now) {
        String permitId = CommandIds.resendPermit(state.requestId(), next, now);
        Instant permitDeadline = now.plus(config.abuse().permitTimeout());
        Instant commandDeadline = permitDeadline.isBefore(deadline) ? permitDeadline : deadline;
        VerificationState.Builder awaiting = state.toBuilder().status(Status.AWAITING_RESEND_PERMIT)
                .pendingResend(new VerificationState.PendingResend(permitId, deadline)).wakeAt(permitDeadline);
        GrantedCommand command = null;
        if (config.guardIssuesCommands()) {
            awaiting.inFlight(new InFlight(CommandIds.granted(permitId), null, now, commandDeadline))
                    .wakeAt(commandDeadline.plus(config.resultGrace()));
            VerificationState.SealedSend seed = state.resendSeed();
            command = new GrantedCommand(state.senderProfile(), commandDeadline,
                    seed == null ? null : seed.sealedNumber(), seed == null ? null : seed.codeType(),
                    state.codeSize(), state.ttlSeconds(), seed == null ? null : seed.message(),
                    seed == null ? null : seed.group(), state.providerRequestId(), next);
        }
        return new Transition(state, awaiting.build(), List.of(new Output.Notify(new NumberNotice(
                NumberNotice.Kind.RESEND_REQUEST, state.numberHash(), state.requestId(), permitId, now, command))),
                null);
    }

    /**
     * The resend command. Until its result the verification is RESENDING: its wake-up moves to the command's
     * deadline + grace, holding the old code's expiry (a resend accepted just before it must be able to finish).
     */
    private Transition issue(VerificationState state, String commandId, Instant deadline, Instant now) {
        VerificationState resending = state.toBuilder().status(Status.RESENDING).pendingResend(null)
                .inFlight(new InFlight(commandId, null, now, deadline))
                .wakeAt(deadline.plus(config.resultGrace())).build();
        VerificationCommand command = Commands.of(commandId, state.requestId(), now, deadline,
                state.senderProfile(), ResendCode.newBuilder().setProviderRequestId(state.providerRequestId())
                        .setSendCount(state.sendCount() + 1).setNewSend(newSend(state)).build());
        return new Transition(state, resending, List.of(new Output.Issue(command)), null);
    }

    /**
     * AWAITING_RESEND_PERMIT whose resend the guard issued (its verdict said so, or the result came first):
     * RESENDING that very command, as if the lifecycle had issued it at the resend's acceptance. Nothing is issued.
     */
    VerificationState commandIssued(VerificationState state, Instant now) {
        VerificationState.PendingResend p = state.pendingResend();
        // A state that expected no command (it cannot have asked for one) adopts the one the permit names.
        InFlight resend = state.inFlight() != null ? state.inFlight()
                : new InFlight(CommandIds.granted(p.permitId()), null, now, p.deadline());
        return state.toBuilder().status(Status.RESENDING).pendingResend(null).inFlight(resend)
                .wakeAt(resend.deadline().plus(config.resultGrace())).build();
    }

    /**
     * What a resend by a new send (the guide's API) needs, the number unsealed for this one command. Null without a
     * number key: nothing was sealed, so such a worker can only answer REJECTED (documented limitation). Null too when
     * the number was sealed under a key since rotated: V2 resends by E-goi's id and needs no number, so the resend is
     * not refused here (it was dead-lettered, and failed only at the permit timeout, for as long as old codes live).
     */
    private SendCode newSend(VerificationState state) {
        VerificationState.SealedSend seed = state.resendSeed();
        String e164 = seed == null || numberKeys == null ? null
                : numberKeys.unsealOrNull(state.requestId(), seed.sealedNumber());
        if (e164 == null) {
            return null;
        }
        return Commands.send(e164, seed.codeType(), state.codeSize(), state.ttlSeconds(), seed.message(),
                seed.group());
    }

    /** The guard's answer to the resend's permit (the state is AWAITING_RESEND_PERMIT for this very permit). */
    Transition verdict(VerificationState state, PermitVerdict v, Instant now) {
        if (v.kind() == PermitVerdict.Kind.GRANTED) {
            if (v.commandIssued()) {
                return new Transition(state, commandIssued(state, now), List.of(), null);
            }
            // The guard issued nothing (a request without the command, or a guard of the previous release).
            Instant deadline = state.inFlight() != null ? state.inFlight().deadline()
                    : state.pendingResend().deadline();
            if (!deadline.isAfter(now)) {
                // Too late to resend (only while a command the guard might issue is awaited): as the permit timeout.
                List<Output> outputs = new ArrayList<>();
                return new Transition(state, reopenFailed(state, state.lastSendAt(), now, outputs), outputs, null);
            }
            return issue(state, CommandIds.granted(v.permitId()), deadline, now);
        }
        if (v.kind() == PermitVerdict.Kind.REFUSED) {
            List<Output> outputs = new ArrayList<>();
            Instant earliest = v.retryAt() == null ? null : later(v.retryAt(), cooldownEnd(state));
            int retry = earliest == null ? 0 : retryAfter(state, earliest, now, 1);
            VerificationState open = reopen(state, state.lastSendAt(), ResendRejectReason.RATE_LIMITED, retry, now,
                    outputs);
            return new Transition(state, open, outputs, null);
        }
        return Transition.ignored(state, "verdict " + v.kind() + " for a resend permit");
    }

    /** The worker's result of the resend in flight (the state is RESENDING with this very command). */
    Transition result(VerificationState state, VerificationCommandResult r, Instant now) {
        List<Output> outputs = new ArrayList<>();
        InFlight resend = state.inFlight();
        VerificationState next;
        switch (r.getStatus()) {
            case SENT:
                if (r.getProviderRequestId() != null && !r.getProviderRequestId().isBlank()) {
                    // Only the latest code verifies: checks go to the id E-goi answered with (new in the guide's
                    // API, possibly new in V2). Wrong-code attempts are kept.
                    Instant started = resend.callStart(r.getCallStartedAt(), now);
                    Instant expiresAt = started.plusSeconds(state.ttlSeconds());
                    next = state.toBuilder().status(Status.SENT).inFlight(null)
                            .providerRequestId(r.getProviderRequestId()).expiresAt(expiresAt).wakeAt(expiresAt)
                            .sendCount(state.sendCount() + 1).lastSendAt(started).build();
                    outputs.add(Outcomes.sent(next, now));
                    break;
                }
                next = reopenFailed(maybeSent(state), later(state.lastSendAt(), resend.issuedAt()), now, outputs);
                break;
            case CANCELLED:
                next = endings.cancelled(state.toBuilder().status(Status.SENT).inFlight(null).build(),
                        Submissions.PROVIDER_CANCELLED, true, now, outputs);
                break;
            case REJECTED, DEADLINE_PASSED:
                // No new code went out: the cooldown keeps counting from the previous send.
                next = reopenFailed(state, state.lastSendAt(), now, outputs);
                break;
            default:
                // UNAVAILABLE, UNKNOWN (or a check status): a code may have gone out, so the cooldown restarts from
                // the earliest the call can have started, and the code counts against the maximum.
                next = reopenFailed(maybeSent(state), later(state.lastSendAt(), resend.issuedAt()), now, outputs);
        }
        return new Transition(state, next, outputs, null);
    }

    /** The resend's permit or result did not come in time (the state's wake-up fired). */
    VerificationState gaveUp(VerificationState state, Instant now, List<Output> outputs) {
        // RESENDING, or a permit awaited whose resend the guard may have issued: the call may have happened.
        if (state.inFlight() != null) {
            return reopenFailed(maybeSent(state), later(state.lastSendAt(), state.inFlight().issuedAt()), now,
                    outputs);
        }
        return reopenFailed(state, state.lastSendAt(), now, outputs);
    }

    /**
     * A resend whose code may have gone out counts against the verification's maximum number of codes: the maximum
     * bounds the SMS a verification can cost, and unknown outcomes would otherwise let it send more. Its number is
     * used up: the next code sent is numbered after it.
     */
    private static VerificationState maybeSent(VerificationState state) {
        return state.toBuilder().sendCount(state.sendCount() + 1).build();
    }

    private VerificationState reopenFailed(VerificationState state, Instant lastSendAt, Instant now,
                                           List<Output> outputs) {
        VerificationState probe = state.toBuilder().lastSendAt(lastSendAt).build();
        return reopen(state, lastSendAt, ResendRejectReason.FAILED,
                retryAfter(probe, cooldownEnd(probe), now, 0), now, outputs);
    }

    /**
     * Back to SENT with the code that was valid before the resend, answering it with {@code reason}; or, if that code
     * ran out meanwhile, expired (the terminal outcome answers the resend too).
     */
    private VerificationState reopen(VerificationState state, Instant lastSendAt, ResendRejectReason reason,
                                     int retryAfterSeconds, Instant now, List<Output> outputs) {
        VerificationState open = state.toBuilder().status(Status.SENT).inFlight(null).pendingResend(null)
                .lastSendAt(lastSendAt).wakeAt(state.expiresAt()).build();
        if (!open.expiresAt().isAfter(now)) {
            return endings.expired(open, now, outputs);
        }
        outputs.add(Outcomes.resendRejected(state.requestId(), state.metadata(), reason, retryAfterSeconds, now));
        return open;
    }

    private static Transition rejected(VerificationState state, String requestId, ResendRejectReason reason,
                                       int retryAfterSeconds, Instant now) {
        Map<String, String> metadata = state == null ? Map.of() : state.metadata();
        return new Transition(state, state, List.of(Outcomes.resendRejected(requestId, metadata, reason,
                retryAfterSeconds, now)), null);
    }

    private static Instant cooldownEnd(VerificationState state) {
        return state.lastSendAt().plus(state.resendCooldown());
    }

    /**
     * Seconds until {@code earliest} (at least {@code min}), or 0 when waiting does not help: the code expires before
     * a resend could be accepted.
     */
    private static int retryAfter(VerificationState state, Instant earliest, Instant now, int min) {
        if (state.expiresAt() != null && !earliest.isBefore(state.expiresAt())) {
            return 0;
        }
        return Math.max(min, ceilSeconds(Duration.between(now, earliest)));
    }

    private static int ceilSeconds(Duration d) {
        long millis = d.toMillis();
        return millis <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (millis + 999) / 1000);
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
