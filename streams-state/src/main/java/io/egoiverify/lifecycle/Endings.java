package io.egoiverify.lifecycle;

import io.egoiverify.events.FailureReason;
import io.egoiverify.internal.CancelVerification;
import java.time.Instant;
import java.util.List;

/** Moves a verification to a terminal status: nothing in flight any more, purged after the retention period. */
final class Endings {
    private final LifecycleConfig config;

    Endings(LifecycleConfig config) {
        this.config = config;
    }

    VerificationState.Builder finish(VerificationState state, Status status, Instant now) {
        // The sealed number is dropped with everything pending: nothing will be sent any more.
        return state.toBuilder().status(status).inFlight(null).pendingSend(null).pendingResend(null).resendSeed(null)
                .wakeAt(now.plus(config.retention()));
    }

    VerificationState failed(VerificationState state, FailureReason reason, String detail, Instant now,
                             List<Output> outputs) {
        VerificationState failed = finish(state, Status.FAILED, now).failureReason(reason.name()).build();
        outputs.add(Outcomes.failed(state.requestId(), state.metadata(), reason, detail, now));
        return failed;
    }

    VerificationState expired(VerificationState state, Instant now, List<Output> outputs) {
        VerificationState expired = finish(state, Status.EXPIRED, now).build();
        outputs.add(Outcomes.expired(expired, now));
        return expired;
    }

    VerificationState verified(VerificationState state, Instant now, List<Output> outputs) {
        VerificationState verified = finish(state, Status.VERIFIED, now).build();
        outputs.add(Outcomes.verified(verified, now));
        return verified;
    }

    /**
     * Cancelled here. When E-goi knows the verification (a code was sent) and has not reported the cancellation
     * itself, a best-effort {@code CancelVerification} command goes first: its own command id, never in flight, never
     * awaited (its result is dropped like any result of a command not in flight), so that the code stops verifying at
     * E-goi too. A send still in flight has no E-goi id yet: nothing can be cancelled there.
     *
     * @param providerCancelled E-goi itself said the verification is cancelled (no cancel call is due)
     */
    VerificationState cancelled(VerificationState state, String reason, boolean providerCancelled, Instant now,
                                List<Output> outputs) {
        if (!providerCancelled && state.providerRequestId() != null) {
            outputs.add(new Output.Issue(Commands.of(CommandIds.cancel(state.requestId(), now), state.requestId(),
                    now, now.plus(config.sendDeadline()), state.senderProfile(),
                    CancelVerification.newBuilder().setProviderRequestId(state.providerRequestId()).build())));
        }
        VerificationState cancelled = finish(state, Status.CANCELLED, now).cancelReason(reason).build();
        outputs.add(Outcomes.cancelled(cancelled, reason, now));
        return cancelled;
    }
}
