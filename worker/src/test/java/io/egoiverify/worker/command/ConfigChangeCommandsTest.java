package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiResult;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Commands written under the old settings and executed by a worker restarted under new ones (a scripted E-goi): what
 * the result tells the lifecycle. Every answer here is one the lifecycle folds without a second SMS: REJECTED is "not
 * done" (a send fails PROVIDER_REJECTED, a check is not judged and counts no attempt, a resend is answered FAILED).
 */
@Timeout(30)
class ConfigChangeCommandsTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final WorkerConfig.Retries retries = new WorkerConfig.Retries(3, 4, Duration.ofMillis(1),
            Duration.ofMillis(5), false);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private CommandExecutor executor(ScriptedEgoi egoi) {
        return new CommandExecutor(egoi, CommandExecutorTest.PROFILES, retries, CircuitBreaker.ofDefaults("t"),
                scheduler, Clock.systemUTC());
    }

    /** profile.promo removed while a check, a resend or a cancel of one of its verifications is on the topic. */
    @Test
    void commandsOfARemovedProfileAreRejectedWithoutACall() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.V2);
        for (VerificationCommand c : List.of(Commands.check(), Commands.resend(null), Commands.cancel(),
                Commands.send(Instant.now().plusSeconds(30)))) {
            c.setSenderProfile("promo");
            VerificationCommandResult r = CommandExecutorTest.run(executor(egoi), c);
            assertThat(r.getStatus()).isEqualTo(CommandStatus.REJECTED);
            assertThat(r.getDetail()).isEqualTo("unknown sender profile 'promo'");
        }
        assertThat(egoi.calls.get()).isZero();
    }

    /**
     * egoi.api switched guide → v2 while codes are live: their stored id is a guide requestId, which V2 does not know
     * (a 404, as the sandbox answers an unknown id). The check is not judged (REJECTED, never WRONG_CODE: the user's
     * attempt is not counted against them) and the resend is REJECTED; the code ends by expiring.
     */
    @Test
    void v2GivenAGuideIdJudgesNothing() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.V2);
        egoi.then(new EgoiResult.Unconfirmed(404)).then(new EgoiResult.Rejected(404, "Not Found"));
        assertThat(CommandExecutorTest.run(executor(egoi), Commands.check()).getStatus())
                .isEqualTo(CommandStatus.REJECTED);
        assertThat(egoi.operations).containsExactly("validate", "status");
        egoi.then(new EgoiResult.Rejected(404, "Not Found"));
        assertThat(CommandExecutorTest.run(executor(egoi), Commands.resend(null)).getStatus())
                .isEqualTo(CommandStatus.REJECTED);
        assertThat(egoi.calls.get()).as("a 404 is not repeated").isEqualTo(3);
    }

    /**
     * egoi.api switched v2 → guide: a check of a V2 verifyId answered 404 is not judged either; a resend is a new
     * send, made only if the command carries the number (per-number limits on), else REJECTED without a call.
     */
    @Test
    void guideGivenAV2IdJudgesNothingAndResendsByANewSend() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.GUIDE);
        egoi.then(new EgoiResult.Rejected(404, "Not_Found"));
        VerificationCommand check = Commands.check();
        assertThat(((CheckCode) check.getAction()).getProviderRequestId()).isEqualTo("p");
        assertThat(CommandExecutorTest.run(executor(egoi), check).getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(CommandExecutorTest.run(executor(egoi), Commands.resend(null)).getStatus())
                .isEqualTo(CommandStatus.REJECTED);
        assertThat(egoi.calls.get()).isEqualTo(1);
        egoi.then(new EgoiResult.Sent("guide-2"));
        VerificationCommandResult resent = CommandExecutorTest.run(executor(egoi),
                Commands.resend(Commands.sendCode("+351910000000")));
        assertThat(resent.getStatus()).isEqualTo(CommandStatus.SENT);
        assertThat(resent.getProviderRequestId()).isEqualTo("guide-2");
        assertThat(egoi.operations).containsExactly("validate", "send");
    }

    /**
     * The API key rotated to one E-goi refuses (401): commands already on the topic are answered REJECTED after one
     * call, never repeated (a send is not retried on a refusal), so no verification sends twice.
     */
    @Test
    void aRefusedKeyRejectsTheCommandsInFlightAfterOneCall() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.V2);
        egoi.then(new EgoiResult.Rejected(401, "Unauthorized")).then(new EgoiResult.Sent("never"));
        assertThat(CommandExecutorTest.run(executor(egoi), Commands.send(Instant.now().plusSeconds(30))).getStatus())
                .isEqualTo(CommandStatus.REJECTED);
        assertThat(egoi.operations).containsExactly("send");
    }
}
