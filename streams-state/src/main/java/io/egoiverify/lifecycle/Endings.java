package io.egoiverify.lifecycle;

import io.egoiverify.events.FailureReason;
import java.time.Instant;
import java.util.List;

/** Moves a verification to a terminal status: nothing in flight any more, purged after the retention period. */
final class Endings {
    private final LifecycleConfig config;

    Endings(LifecycleConfig config) {
        this.config = config;
    }

    VerificationState.Builder finish(VerificationState state, Status status, Instant now) {
        return state.toBuilder().status(status).inFlight(null).pendingSend(null).wakeAt(now.plus(config.retention()));
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
}
