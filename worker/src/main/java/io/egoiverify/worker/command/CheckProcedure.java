package io.egoiverify.worker.command;

import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.EgoiApi;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SenderProfile;
import java.util.concurrent.CompletableFuture;

/**
 * One check of a submitted code, made with E-goi at most once (CONTRACTS invariant 4: a wrong code E-goi judged twice
 * could count twice against its own attempts). A validate is repeated only when E-goi certainly did not process it
 * (nothing was sent, or a "not processed" status). Guide: the validate answer is the verdict; an unknown outcome ends
 * the check unjudged. V2: the validate answer is the verdict only when it says "verified" itself; anything else is
 * reconciled with the status call ({@code pending} then means a wrong code). After a validate whose outcome is unknown
 * the status still settles verified, expired and cancelled; {@code pending} there cannot tell a wrong code from a
 * validate E-goi never saw, so the check ends unjudged and the user's next submission is a check of its own.
 */
final class CheckProcedure {
    private final EgoiApi egoi;
    private final WorkerConfig.Retries retries;
    private final CommandResults results;

    CheckProcedure(EgoiApi egoi, WorkerConfig.Retries retries, CommandResults results) {
        this.egoi = egoi;
        this.retries = retries;
        this.results = results;
    }

    CompletableFuture<VerificationCommandResult> run(VerificationCommand c, SenderProfile p, CheckCode check,
                                                     CallLoop loop) {
        return egoi.dialect().hasStatusCall() ? validateV2(c, p, check, loop) : guide(c, p, check, loop);
    }

    private CompletableFuture<VerificationCommandResult> guide(VerificationCommand c, SenderProfile p, CheckCode check,
                                                               CallLoop loop) {
        RetryRule rule = RetryRule.notProcessedOnly("validate", retries);
        return loop.run(rule, () -> egoi.validate(p, check.getProviderRequestId(), check.getCode())).thenApply(o -> {
            EgoiResult r = o.result();
            int calls = loop.calls();
            CommandStatus status;
            if (o.stopped()) {
                return results.failed(c, o, rule, calls);
            } else if (r instanceof EgoiResult.Verified) {
                status = CommandStatus.VERIFIED;
            } else if (r instanceof EgoiResult.AlreadyVerified) {
                // earlier calls, if any, were certainly not processed: this one is not judging its own code again
                status = CommandStatus.ALREADY_VERIFIED;
            } else if (r instanceof EgoiResult.WrongCode) {
                status = CommandStatus.WRONG_CODE;
            } else if (r instanceof EgoiResult.Expired) {
                status = CommandStatus.CODE_EXPIRED;
            } else {
                return results.failed(c, o, rule, calls);
            }
            return results.of(c, status, null, null, calls, CommandResults.detail(r, calls));
        });
    }

    private CompletableFuture<VerificationCommandResult> validateV2(VerificationCommand c, SenderProfile p,
                                                                    CheckCode check, CallLoop loop) {
        RetryRule rule = RetryRule.notProcessedOnly("validate", retries);
        return loop.run(rule, () -> egoi.validate(p, check.getProviderRequestId(), check.getCode()))
                .thenCompose(o -> {
                    EgoiResult r = o.result();
                    if (o.stopped()) {
                        return done(results.failed(c, o, rule, loop.calls()));
                    }
                    if (r instanceof EgoiResult.Verified) {
                        return done(results.of(c, CommandStatus.VERIFIED, null, null, loop.calls(),
                                "validate answered verified" + calls(loop)));
                    }
                    if (r instanceof EgoiResult.Unconfirmed) {
                        return reconcile(c, p, check, loop, true, null);
                    }
                    if (r.delivery() == EgoiResult.Delivery.UNKNOWN && loop.hasBudget()) {
                        return reconcile(c, p, check, loop, false, r);
                    }
                    return done(results.failed(c, o, rule, loop.calls()));
                });
    }

    /**
     * Reads the status. {@code answered}: E-goi answered the validate, so {@code pending} means the code was wrong;
     * otherwise the validate may or may not have been processed, and a pending verification is not validated again.
     */
    private CompletableFuture<VerificationCommandResult> reconcile(VerificationCommand c, SenderProfile p,
                                                                   CheckCode check, CallLoop loop, boolean answered,
                                                                   EgoiResult unknown) {
        RetryRule rule = RetryRule.anyFailure("status", retries);
        CompletableFuture<CallLoop.Outcome> read = answered
                ? loop.run(rule, () -> egoi.status(p, check.getProviderRequestId()))
                : loop.runAfterBackoff(rule, () -> egoi.status(p, check.getProviderRequestId()), unknown);
        return read.thenCompose(o -> {
            EgoiResult r = o.result();
            String how = (answered ? "validate answered, " : "validate outcome unknown, ") + "status " + r.describe();
            if (o.stopped()) {
                return done(results.failed(c, o, rule, loop.calls()));
            }
            if (r instanceof EgoiResult.Verified) {
                return done(results.of(c, CommandStatus.VERIFIED, null, null, loop.calls(), how + calls(loop)));
            }
            if (r instanceof EgoiResult.Expired) {
                return done(results.of(c, CommandStatus.CODE_EXPIRED, null, null, loop.calls(), how + calls(loop)));
            }
            if (r instanceof EgoiResult.Cancelled) {
                return done(results.of(c, CommandStatus.CANCELLED, null, null, loop.calls(), how + calls(loop)));
            }
            if (r instanceof EgoiResult.Pending && answered) {
                return done(results.of(c, CommandStatus.WRONG_CODE, null, null, loop.calls(), how + calls(loop)));
            }
            if (r instanceof EgoiResult.Pending) {
                return done(results.of(c, CommandStatus.UNAVAILABLE, null, null, loop.calls(), how
                        + ": not validated again (one check per submission)" + calls(loop)));
            }
            return done(results.failed(c, o, rule, loop.calls()));
        });
    }

    private static String calls(CallLoop loop) {
        return loop.calls() > 1 ? " after " + loop.calls() + " calls" : "";
    }

    private static CompletableFuture<VerificationCommandResult> done(VerificationCommandResult r) {
        return CompletableFuture.completedFuture(r);
    }
}
