package io.egoiverify.lifecycle;

import io.egoiverify.events.FailureReason;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The verification lifecycle as a pure function: {@code (state, input, now) → (new state, outputs)}. No I/O, no
 * clock of its own, deterministic. Deadlines that are due at {@code now} fire before the input is applied (time
 * order), and again after it, so a returned state never has a deadline in the past.
 */
public final class Lifecycle {
    private final LifecycleConfig config;
    private final RequestValidator validator;
    private final Submissions submissions;
    private final Endings endings;
    /** Null when per-number limits are off. */
    private final NumberKeys numberKeys;

    public Lifecycle(LifecycleConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.numberKeys = config.abuse().enabled() ? new NumberKeys(config.abuse().numberKey()) : null;
        this.validator = new RequestValidator(config);
        this.endings = new Endings(config);
        this.submissions = new Submissions(config, endings);
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
        notifyGuard(state, current, now, outputs);
        return new Transition(state, current, outputs, outputs.isEmpty() && current == state ? note : null);
    }

    private Transition step(VerificationState state, Input input, Instant now) {
        if (input instanceof Input.Requested r) {
            return requested(state, r.event(), now);
        } else if (input instanceof Input.Submitted s) {
            return submissions.submitted(state, s.event(), now);
        } else if (input instanceof Input.CancelRequested c) {
            return cancelRequested(state, c.event().getReason(), c.requestId(), now);
        } else if (input instanceof Input.Result r) {
            return submissions.result(state, r.result(), now);
        } else if (input instanceof Input.Verdict v) {
            return verdict(state, v.verdict(), now);
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
                return endings.failed(state, FailureReason.PROVIDER_UNAVAILABLE,
                        "no rate-limit verdict before the permit timeout", now, outputs);
            case SENT, CHECKING:
                // CHECKING reaches here only after expiresAt + resultGrace: the check in flight is given up.
                VerificationState expired = endings.finish(state, Status.EXPIRED, now).build();
                outputs.add(Outcomes.expired(expired, now));
                return expired;
            default:
                throw new IllegalStateException("unhandled status " + state.status());
        }
    }

    private Transition requested(VerificationState state, VerificationRequested r, Instant now) {
        if (state != null && state.status() != Status.CANCEL_PENDING) {
            return Transition.ignored(state, "duplicate request");
        }
        boolean metadataFits = RequestValidator.metadataBytes(r.getMetadata()) <= config.maxMetadataBytes();
        Map<String, String> metadata = metadataFits && r.getMetadata() != null ? r.getMetadata() : Map.of();
        if (state != null) {
            // A cancel came first: answer the request without an SMS.
            VerificationState cancelled = endings.finish(state, Status.CANCELLED, now).metadata(metadata).build();
            return new Transition(state, cancelled,
                    List.of(Outcomes.cancelled(cancelled, cancelled.cancelReason(), now)), null);
        }
        RequestValidator.Verdict verdict = validator.validate(r);
        if (!verdict.valid()) {
            VerificationState failed = VerificationState.builder(r.getRequestId(), Status.FAILED,
                            now.plus(config.retention())).metadata(metadata)
                    .failureReason(FailureReason.INVALID_REQUEST.name()).build();
            return new Transition(null, failed, List.of(Outcomes.failed(r.getRequestId(), metadata,
                    FailureReason.INVALID_REQUEST, "invalid request: " + String.join("; ", verdict.problems()),
                    now)), null);
        }
        RequestValidator.Admission a = verdict.admission();
        Instant requestedAt = r.getRequestedAt().isBefore(now) ? r.getRequestedAt() : now;
        Instant sendDeadline = requestedAt.plus(config.sendDeadline());
        VerificationState.Builder admitted = VerificationState.builder(r.getRequestId(), Status.SENDING,
                        sendDeadline.plus(config.resultGrace())).metadata(metadata).senderProfile(a.senderProfile())
                .phoneMasked(a.phoneMasked()).codeSize(a.codeSize()).ttlSeconds(a.ttlSeconds())
                .maxAttempts(a.maxAttempts());
        if (!sendDeadline.isAfter(now)) {
            VerificationState failed = admitted.status(Status.FAILED).wakeAt(now.plus(config.retention()))
                    .failureReason(FailureReason.PROVIDER_UNAVAILABLE.name()).build();
            return new Transition(null, failed, List.of(Outcomes.failed(r.getRequestId(), metadata,
                    FailureReason.PROVIDER_UNAVAILABLE, "the send deadline passed before the request was processed",
                    now)), null);
        }
        if (numberKeys != null) {
            // Per-number limits: park the send (number sealed) and ask the guard, keyed by the number's HMAC.
            String hash = numberKeys.hash(a.e164());
            String permitId = CommandIds.permit(r.getRequestId(), now);
            Instant permitWake = now.plus(config.abuse().permitTimeout());
            VerificationState awaiting = admitted.status(Status.AWAITING_PERMIT)
                    .wakeAt(permitWake.isBefore(sendDeadline) ? permitWake : sendDeadline)
                    .numberHash(hash).permitId(permitId)
                    .pendingSend(new VerificationState.PendingSend(numberKeys.seal(r.getRequestId(), a.e164()),
                            a.codeType(), a.message(), a.group(), sendDeadline)).build();
            return new Transition(null, awaiting, List.of(new Output.Notify(new NumberNotice(
                    NumberNotice.Kind.PERMIT_REQUEST, hash, r.getRequestId(), permitId, now))), null);
        }
        return issueSend(admitted, a.e164(), a.codeType(), a.message(), a.group(), sendDeadline, null, now);
    }

    private Transition issueSend(VerificationState.Builder admitted, String e164, String codeType, String message,
                                 String group, Instant sendDeadline, VerificationState before, Instant now) {
        String requestId = admitted.requestId();
        String commandId = CommandIds.send(requestId, now);
        VerificationState sending = admitted.status(Status.SENDING).pendingSend(null)
                .wakeAt(sendDeadline.plus(config.resultGrace()))
                .inFlight(new InFlight(commandId, null, now, sendDeadline)).build();
        VerificationCommand command = VerificationCommand.newBuilder().setCommandId(commandId)
                .setRequestId(requestId).setIssuedAt(now).setDeadline(sendDeadline)
                .setSenderProfile(sending.senderProfile())
                .setAction(SendCode.newBuilder().setPhoneNumber(e164).setCodeType(codeType)
                        .setCodeSize(sending.codeSize()).setTtlSeconds(sending.ttlSeconds()).setMessage(message)
                        .setGroup(group).build())
                .build();
        return new Transition(before, sending, List.of(new Output.Issue(command)), null);
    }

    private Transition verdict(VerificationState state, PermitVerdict v, Instant now) {
        if (state == null || !v.permitId().equals(state.permitId())) {
            return Transition.ignored(state, "verdict for a permit that is not this verification's");
        }
        if (state.status() == Status.AWAITING_PERMIT && v.kind() == PermitVerdict.Kind.GRANTED) {
            VerificationState.PendingSend p = state.pendingSend();
            String e164 = numberKeys.unseal(state.requestId(), p.sealedNumber());
            return issueSend(state.toBuilder(), e164, p.codeType(), p.message(), p.group(), p.sendDeadline(), state,
                    now);
        }
        if (state.status() == Status.AWAITING_PERMIT && v.kind() == PermitVerdict.Kind.REFUSED) {
            List<Output> outputs = new ArrayList<>();
            VerificationState failed = endings.failed(state, FailureReason.RATE_LIMITED,
                    "rate limited: " + (v.limit() == null ? "per-number limit" : v.limit()), now, outputs);
            return new Transition(state, failed, outputs, null);
        }
        if (v.kind() == PermitVerdict.Kind.SUPERSEDED && (state.status() == Status.SENDING
                || state.status() == Status.SENT || state.status() == Status.CHECKING)) {
            String reason = "superseded by a newer verification of the same number";
            VerificationState cancelled = endings.finish(state, Status.CANCELLED, now).cancelReason(reason).build();
            return new Transition(state, cancelled, List.of(Outcomes.cancelled(cancelled, reason, now)), null);
        }
        return Transition.ignored(state, "verdict " + v.kind() + " while " + state.status());
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

    private Transition cancelRequested(VerificationState state, String reason, String requestId, Instant now) {
        if (state == null) {
            VerificationState pending = VerificationState.builder(requestId, Status.CANCEL_PENDING,
                    now.plus(config.pendingCancelMemory())).cancelReason(reason).build();
            return new Transition(null, pending, List.of(), null);
        }
        if (state.status() == Status.CANCEL_PENDING || state.status().terminal()) {
            return Transition.ignored(state, "cancel of a verification that is already " + state.status());
        }
        VerificationState cancelled = endings.finish(state, Status.CANCELLED, now).cancelReason(reason).build();
        return new Transition(state, cancelled, List.of(Outcomes.cancelled(cancelled, reason, now)), null);
    }
}
