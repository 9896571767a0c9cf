package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** V2 checks (validate, then reconciliation), cancel and resend, and their guide-dialect counterparts. */
@Timeout(30)
class V2CommandsTest {
    static final SenderProfiles PROFILES = SenderProfiles.of(new SenderProfile("default", "k", "s", "1", null));
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final WorkerConfig.Retries retries = new WorkerConfig.Retries(3, 6, Duration.ofMillis(1), Duration.ofMillis(5),
            false);
    final RecordingMetrics metrics = new RecordingMetrics();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    VerificationCommandResult run(ScriptedEgoi egoi, VerificationCommand c) throws Exception {
        return new CommandExecutor(egoi, PROFILES, retries, CircuitBreaker.ofDefaults("t"), scheduler,
                Clock.systemUTC(), metrics).execute(c).get(10, TimeUnit.SECONDS);
    }

    static ScriptedEgoi v2() {
        return new ScriptedEgoi(Dialect.V2);
    }

    @Test
    void aValidateThatSaysVerifiedItselfNeedsNoStatusCall() throws Exception {
        ScriptedEgoi egoi = v2().then(new EgoiResult.Verified());
        assertThat(run(egoi, Commands.check()).getStatus()).isEqualTo(CommandStatus.VERIFIED);
        assertThat(egoi.operations).containsExactly("validate");
    }

    @Test
    void anAnsweredValidateIsReconciledAndPendingMeansAWrongCode() throws Exception {
        ScriptedEgoi egoi = v2().then(new EgoiResult.Unconfirmed(200)).then(new EgoiResult.Pending("pending"));
        VerificationCommandResult r = run(egoi, Commands.check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.WRONG_CODE);
        assertThat(r.getProviderCalls()).isEqualTo(2);
        assertThat(egoi.operations).containsExactly("validate", "status");
    }

    @Test
    void reconciledStatusesMapToCommandStatuses() throws Exception {
        Object[][] cases = {{new EgoiResult.Verified(), CommandStatus.VERIFIED},
                {new EgoiResult.Expired(), CommandStatus.CODE_EXPIRED},
                {new EgoiResult.Cancelled(), CommandStatus.CANCELLED},
                {new EgoiResult.UnrecognisedStatus(200, "blocked"), CommandStatus.UNAVAILABLE},
                {new EgoiResult.Rejected(404, "Not Found"), CommandStatus.REJECTED}};
        for (Object[] c : cases) {
            ScriptedEgoi egoi = v2().then(new EgoiResult.Unconfirmed(400)).then((EgoiResult) c[0]);
            assertThat(run(egoi, Commands.check()).getStatus()).as("%s", c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void anUnknownValidateOutcomeStillPendingIsNotValidatedAgain() throws Exception {
        ScriptedEgoi egoi = v2().then(new EgoiResult.ServerError(500)).then(new EgoiResult.Pending("pending"))
                .then(new EgoiResult.Unconfirmed(200)).then(new EgoiResult.Verified());
        VerificationCommandResult r = run(egoi, Commands.check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getDetail()).contains("not validated again");
        assertThat(egoi.operations).containsExactly("validate", "status");
    }

    @Test
    void anUnknownValidateOutcomeThatDidVerifyIsNotValidatedAgain() throws Exception {
        ScriptedEgoi egoi = v2().then(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE))
                .then(new EgoiResult.ServerError(500)).then(new EgoiResult.Verified());
        assertThat(run(egoi, Commands.check()).getStatus()).isEqualTo(CommandStatus.VERIFIED);
        assertThat(egoi.operations).containsExactly("validate", "status", "status");
    }

    @Test
    void aNotProcessedValidateIsRepeatedWithoutAStatusCall() throws Exception {
        ScriptedEgoi egoi = v2().then(new EgoiResult.ServerError(503))
                .then(new EgoiResult.RateLimited(Optional.empty())).then(new EgoiResult.Unconfirmed(200))
                .then(new EgoiResult.Verified());
        assertThat(run(egoi, Commands.check()).getStatus()).isEqualTo(CommandStatus.VERIFIED);
        assertThat(egoi.operations).containsExactly("validate", "validate", "validate", "status");
    }

    @Test
    void aRefusedKeyEndsTheCheckRejected() throws Exception {
        ScriptedEgoi egoi = v2().then(new EgoiResult.Rejected(403, "Forbidden"));
        assertThat(run(egoi, Commands.check()).getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(egoi.operations).containsExactly("validate");
    }

    @Test
    void aCheckThatNeverGetsAVerdictEndsUnavailableWithinItsBudget() throws Exception {
        ScriptedEgoi egoi = v2();
        egoi.fallback = op -> op.equals("validate") ? new EgoiResult.ServerError(503)
                : new EgoiResult.Pending("pending");
        VerificationCommandResult r = run(egoi, Commands.check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(6);
        assertThat(egoi.operations).containsOnly("validate");
    }

    @Test
    void v2CancelCallsEgoiAndIsCounted() throws Exception {
        ScriptedEgoi egoi = v2().then(new EgoiResult.ServerError(500)).then(new EgoiResult.Cancelled());
        VerificationCommandResult r = run(egoi, Commands.cancel());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.CANCELLED);
        assertThat(egoi.operations).containsExactly("cancel", "cancel");
        egoi.fallback = op -> new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE);
        assertThat(run(egoi, Commands.cancel()).getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(2 + 3); // maxCancelAttempts
        assertThat(metrics.cancelResults).containsExactly(CommandStatus.CANCELLED, CommandStatus.UNAVAILABLE);
    }

    @Test
    void guideCancelMakesNoCall() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.GUIDE);
        VerificationCommandResult r = run(egoi, Commands.cancel());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(r.getDetail()).isEqualTo("the guide dialect has no cancel call");
        assertThat(r.getProviderCalls()).isZero();
        assertThat(egoi.calls.get()).isZero();
        assertThat(metrics.cancelResults).containsExactly(CommandStatus.REJECTED);
    }

    @Test
    void v2ResendAdoptsTheNewIdOrKeepsTheOld() throws Exception {
        ScriptedEgoi egoi = v2().then(new EgoiResult.Sent("new-id")).then(new EgoiResult.Sent(null));
        VerificationCommandResult adopted = run(egoi, Commands.resend(null));
        assertThat(adopted.getStatus()).isEqualTo(CommandStatus.SENT);
        assertThat(adopted.getProviderRequestId()).isEqualTo("new-id");
        assertThat(adopted.getCallStartedAt()).isNotNull();
        VerificationCommandResult kept = run(egoi, Commands.resend(null));
        assertThat(kept.getProviderRequestId()).isEqualTo("p");
        assertThat(egoi.operations).containsExactly("resend", "resend");
    }

    @Test
    void v2ResendFollowsTheDuplicateSmsRule() throws Exception {
        ScriptedEgoi egoi = v2().then(new EgoiResult.ServerError(503)).then(new EgoiResult.Sent("p"));
        assertThat(run(egoi, Commands.resend(null)).getStatus()).isEqualTo(CommandStatus.SENT);
        egoi.then(new EgoiResult.ServerError(500)).then(new EgoiResult.Sent("p"));
        VerificationCommandResult unknown = run(egoi, Commands.resend(null));
        assertThat(unknown.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(3);
        egoi.script.clear();
        egoi.then(new EgoiResult.Rejected(404, "Not Found"));
        assertThat(run(egoi, Commands.resend(null)).getStatus()).isEqualTo(CommandStatus.REJECTED);
    }

    @Test
    void guideResendIsANewSendAndNeedsTheNumber() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.GUIDE).then(new EgoiResult.Sent("second-id"));
        VerificationCommandResult r = run(egoi, Commands.resend(Commands.sendCode("+351910000000")));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
        assertThat(r.getProviderRequestId()).isEqualTo("second-id");
        assertThat(egoi.operations).containsExactly("send");
        VerificationCommandResult none = run(egoi, Commands.resend(null));
        assertThat(none.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(none.getDetail()).contains("guide dialect resends by sending again");
        assertThat(egoi.calls.get()).isEqualTo(1);
    }

    @Test
    void commandsPastTheirDeadlineMakeNoCall() throws Exception {
        ScriptedEgoi egoi = v2();
        assertThat(run(egoi, Commands.of(io.egoiverify.internal.CancelVerification.newBuilder()
                .setProviderRequestId("p").build(), Instant.now().minusSeconds(1))).getStatus())
                .isEqualTo(CommandStatus.DEADLINE_PASSED);
        assertThat(egoi.calls.get()).isZero();
    }
}
