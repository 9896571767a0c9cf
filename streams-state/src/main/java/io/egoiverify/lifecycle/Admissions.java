package io.egoiverify.lifecycle;

import io.egoiverify.events.FailureReason;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.internal.VerificationCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Request admission: validation, the send deadline, and (with per-number limits) the permit asked of the number guard
 * and its verdict. Ends with the send command (issued here, or by the guard when it grants), or with the request
 * refused.
 */
final class Admissions {
    /** VerificationFailed.detail when the permit's verdict never came in time. */
    static final String NO_VERDICT = "no rate-limit verdict before the permit timeout";
    private final LifecycleConfig config;
    private final RequestValidator validator;
    private final Endings endings;
    /** Null when per-number limits are off. */
    private final NumberKeys numberKeys;

    Admissions(LifecycleConfig config, Endings endings, NumberKeys numberKeys) {
        this.config = config;
        this.endings = endings;
        this.validator = new RequestValidator(config);
        this.numberKeys = numberKeys;
    }

    Transition requested(VerificationState state, VerificationRequested r, Instant now) {
        if (state != null && state.status() != Status.CANCEL_PENDING) {
            return Transition.ignored(state, "duplicate request");
        }
        boolean metadataFits = RequestValidator.metadataBytes(r.getMetadata()) <= config.maxMetadataBytes();
        Map<String, String> metadata = metadataFits && r.getMetadata() != null ? r.getMetadata() : Map.of();
        // Validated before a remembered cancel is honoured: a cancel alone is no verification, so an invalid request
        // is answered INVALID_REQUEST like any other (CONTRACTS invariant 6), with what is wrong.
        RequestValidator.Verdict verdict = validator.validate(r);
        if (!verdict.valid()) {
            VerificationState failed = VerificationState.builder(r.getRequestId(), Status.FAILED,
                            now.plus(config.retention())).metadata(metadata)
                    .failureReason(FailureReason.INVALID_REQUEST.name()).build();
            return new Transition(state, failed, List.of(Outcomes.failed(r.getRequestId(), metadata,
                    FailureReason.INVALID_REQUEST, "invalid request: " + String.join("; ", verdict.problems()),
                    now)), null);
        }
        if (state != null) {
            // A cancel came first: answer the request without an SMS (E-goi never heard of it: nothing to cancel).
            List<Output> outputs = new ArrayList<>();
            VerificationState cancelled = endings.cancelled(state.toBuilder().metadata(metadata).build(),
                    state.cancelReason(), false, now, outputs);
            return new Transition(state, cancelled, outputs, null);
        }
        RequestValidator.Admission a = verdict.admission();
        Instant requestedAt = r.getRequestedAt().isBefore(now) ? r.getRequestedAt() : now;
        Instant sendDeadline = requestedAt.plus(config.sendDeadline());
        VerificationState.Builder admitted = VerificationState.builder(r.getRequestId(), Status.SENDING,
                        sendDeadline.plus(config.resultGrace())).metadata(metadata).senderProfile(a.senderProfile())
                .phoneMasked(a.phoneMasked()).codeSize(a.codeSize()).ttlSeconds(a.ttlSeconds())
                .maxAttempts(a.maxAttempts()).resend(config.resendPolicy(a.senderProfile()));
        if (!sendDeadline.isAfter(now)) {
            VerificationState failed = admitted.status(Status.FAILED).wakeAt(now.plus(config.retention()))
                    .failureReason(FailureReason.PROVIDER_UNAVAILABLE.name()).build();
            return new Transition(null, failed, List.of(Outcomes.failed(r.getRequestId(), metadata,
                    FailureReason.PROVIDER_UNAVAILABLE, "the send deadline passed before the request was processed",
                    now)), null);
        }
        if (numberKeys != null) {
            return awaitPermit(admitted, r.getRequestId(), a, sendDeadline, now);
        }
        return issueSend(admitted, CommandIds.send(r.getRequestId(), now), a.e164(), null, a.codeType(),
                a.message(), a.group(), sendDeadline, null, now);
    }

    /**
     * Per-number limits: park the send (number sealed) and ask the guard, keyed by the number's HMAC. The permit
     * deadline is the permit timeout, never after the send deadline. With {@code guardIssuesCommands} the request
     * carries the send and the guard issues it when it grants: from here on its result is awaited as in SENDING
     * (whether or not the verdict came first), until the command deadline + resultGrace; otherwise the verdict is
     * awaited until the permit deadline, as before.
     */
    private Transition awaitPermit(VerificationState.Builder admitted, String requestId,
                                   RequestValidator.Admission a, Instant sendDeadline, Instant now) {
        String hash = numberKeys.hash(a.e164());
        String permitId = CommandIds.permit(requestId, now);
        Instant permitWake = now.plus(config.abuse().permitTimeout());
        Instant permitDeadline = permitWake.isBefore(sendDeadline) ? permitWake : sendDeadline;
        admitted.status(Status.AWAITING_PERMIT).wakeAt(permitDeadline).numberHash(hash).permitId(permitId)
                .pendingSend(new VerificationState.PendingSend(numberKeys.seal(requestId, a.e164()), a.codeType(),
                        a.message(), a.group(), sendDeadline));
        if (config.guardIssuesCommands()) {
            admitted.inFlight(new InFlight(CommandIds.granted(permitId), null, now, permitDeadline))
                    .wakeAt(permitDeadline.plus(config.resultGrace()));
        }
        VerificationState awaiting = admitted.build();
        VerificationState.PendingSend p = awaiting.pendingSend();
        GrantedCommand command = !config.guardIssuesCommands() ? null : new GrantedCommand(awaiting.senderProfile(),
                permitDeadline, p.sealedNumber(), p.codeType(), awaiting.codeSize(), awaiting.ttlSeconds(),
                p.message(), p.group(), null, 1);
        return new Transition(null, awaiting, List.of(new Output.Notify(new NumberNotice(
                NumberNotice.Kind.PERMIT_REQUEST, hash, requestId, permitId, now, command))), null);
    }

    /**
     * @param sealed the number already sealed (the parked send's), or null to seal it here; kept as the resend seed
     *               when a number key exists (the guide's API resends by a new send, which needs the number)
     */
    private Transition issueSend(VerificationState.Builder admitted, String commandId, String e164, String sealed,
                                 String codeType, String message, String group, Instant deadline,
                                 VerificationState before, Instant now) {
        String requestId = admitted.requestId();
        VerificationState.SealedSend seed = numberKeys == null ? null : new VerificationState.SealedSend(
                sealed != null ? sealed : numberKeys.seal(requestId, e164), codeType, message, group);
        VerificationState sending = admitted.status(Status.SENDING).pendingSend(null).resendSeed(seed)
                .wakeAt(deadline.plus(config.resultGrace()))
                .inFlight(new InFlight(commandId, null, now, deadline)).build();
        VerificationCommand command = Commands.of(commandId, requestId, now, deadline, sending.senderProfile(),
                Commands.send(e164, codeType, sending.codeSize(), sending.ttlSeconds(), message, group));
        return new Transition(before, sending, List.of(new Output.Issue(command)), null);
    }

    /**
     * AWAITING_PERMIT whose send the guard issued (its verdict said so, or the send's result came first): SENDING
     * that very command, its result awaited until the command deadline + resultGrace as before. Nothing is issued.
     */
    VerificationState commandIssued(VerificationState state, Instant now) {
        VerificationState.PendingSend p = state.pendingSend();
        // A state that expected no command (it cannot have asked for one) adopts the one the permit names.
        InFlight send = state.inFlight() != null ? state.inFlight()
                : new InFlight(CommandIds.granted(state.permitId()), null, now, p.sendDeadline());
        return state.toBuilder().status(Status.SENDING).pendingSend(null).inFlight(send)
                .wakeAt(send.deadline().plus(config.resultGrace()))
                .resendSeed(new VerificationState.SealedSend(p.sealedNumber(), p.codeType(), p.message(), p.group()))
                .build();
    }

    Transition verdict(VerificationState state, PermitVerdict v, Instant now) {
        if (state == null || !v.permitId().equals(state.permitId())) {
            return Transition.ignored(state, "verdict for a permit that is not this verification's");
        }
        if (state.status() == Status.AWAITING_PERMIT && v.kind() == PermitVerdict.Kind.GRANTED) {
            if (v.commandIssued()) {
                return new Transition(state, commandIssued(state, now), List.of(), null);
            }
            // The guard issued nothing (the request carried no command, or a guard of the previous release): issue
            // it here, with the id the guard would have used and the deadline the state awaits.
            VerificationState.PendingSend p = state.pendingSend();
            Instant deadline = state.inFlight() != null ? state.inFlight().deadline() : p.sendDeadline();
            if (!deadline.isAfter(now)) {
                // Only while the result of a command the guard might issue is awaited (after the deadline, before
                // the grace ends): too late to send, as the permit timeout would have said.
                List<Output> outputs = new ArrayList<>();
                return new Transition(state, endings.failed(state, FailureReason.PROVIDER_UNAVAILABLE,
                        NO_VERDICT, now, outputs), outputs, null);
            }
            String e164 = numberKeys.unseal(state.requestId(), p.sealedNumber());
            return issueSend(state.toBuilder(), CommandIds.granted(v.permitId()), e164, p.sealedNumber(),
                    p.codeType(), p.message(), p.group(), deadline, state, now);
        }
        if (state.status() == Status.AWAITING_PERMIT && v.kind() == PermitVerdict.Kind.REFUSED) {
            List<Output> outputs = new ArrayList<>();
            VerificationState failed = endings.failed(state, FailureReason.RATE_LIMITED,
                    "rate limited: " + (v.limit() == null ? "per-number limit" : v.limit()), now, outputs);
            return new Transition(state, failed, outputs, null);
        }
        if (v.kind() == PermitVerdict.Kind.SUPERSEDED && state.status() != Status.AWAITING_PERMIT
                && !state.status().terminal()) {
            // SENDING, SENT, CHECKING, or a resend under way: cancelled here, and at E-goi once it has an id.
            List<Output> outputs = new ArrayList<>();
            VerificationState cancelled = endings.cancelled(state,
                    "superseded by a newer verification of the same number", false, now, outputs);
            return new Transition(state, cancelled, outputs, null);
        }
        return Transition.ignored(state, "verdict " + v.kind() + " while " + state.status());
    }
}
