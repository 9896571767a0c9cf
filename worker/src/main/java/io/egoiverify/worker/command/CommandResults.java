package io.egoiverify.worker.command;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.EgoiResult;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Builds a command's one result record; details say what happened, never a code, key or number (the keys and any
 * number-like digits are redacted from every detail, {@link DetailRedaction}).
 */
final class CommandResults {
    private final Clock clock;
    private final DetailRedaction redaction;

    /** @param apiKeys every sender profile's API key, none of which a detail may carry */
    CommandResults(Clock clock, List<String> apiKeys) {
        this.clock = clock;
        this.redaction = new DetailRedaction(apiKeys);
    }

    VerificationCommandResult of(VerificationCommand c, CommandStatus status, String providerRequestId,
                                 Instant callStartedAt, int calls, String detail) {
        return VerificationCommandResult.newBuilder()
                .setCommandId(c.getCommandId())
                .setRequestId(c.getRequestId())
                .setCompletedAt(clock.instant())
                .setStatus(status)
                .setProviderRequestId(providerRequestId)
                .setCallStartedAt(callStartedAt)
                .setProviderCalls(calls)
                .setDetail(redaction.apply(detail))
                .build();
    }

    /** Without any call. */
    VerificationCommandResult noCall(VerificationCommand c, CommandStatus status, String detail) {
        return of(c, status, null, null, 0, detail);
    }

    /**
     * A run that ended without the answer the caller wanted: the partition given up (UNAVAILABLE, a result nobody
     * will commit), the deadline (DEADLINE_PASSED when nothing was ever called), a refusal or a rejection (REJECTED),
     * anything else (UNAVAILABLE).
     */
    VerificationCommandResult failed(VerificationCommand c, CallLoop.Outcome o, RetryRule rule, int calls) {
        EgoiResult r = o.result();
        if (o.givenUp()) {
            return of(c, CommandStatus.UNAVAILABLE, null, null, calls, "partition given up after " + calls
                    + " call(s): no further call");
        }
        if (o.deadlineReached()) {
            return calls == 0
                    ? noCall(c, CommandStatus.DEADLINE_PASSED, "deadline passed before any call (" + r.describe() + ")")
                    : of(c, CommandStatus.UNAVAILABLE, null, null, calls, "deadline reached after " + calls
                            + " call(s); last: " + r.describe());
        }
        boolean rejected = r.delivery() == EgoiResult.Delivery.NO_CALL
                || (r instanceof EgoiResult.Rejected && !rule.notProcessed(r));
        return of(c, rejected ? CommandStatus.REJECTED : CommandStatus.UNAVAILABLE, null, null, calls,
                detail(r, calls));
    }

    static String detail(EgoiResult r, int calls) {
        return r.describe() + (calls > 1 ? " after " + calls + " calls" : "");
    }
}
