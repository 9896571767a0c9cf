package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The retry policy of sends and guide checks, with a scripted E-goi (a single-class unit test). */
@Timeout(30)
class CommandExecutorTest {
    static final SenderProfiles PROFILES = SenderProfiles.of(new SenderProfile("default", "k", "s", "1", null));
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final ScriptedEgoi egoi = new ScriptedEgoi(Dialect.GUIDE);
    final WorkerConfig.Retries retries = new WorkerConfig.Retries(3, 4, Duration.ofMillis(1), Duration.ofMillis(5),
            false);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    CommandExecutor executor(WorkerConfig.Retries r) {
        return new CommandExecutor(egoi, PROFILES, r, CircuitBreaker.ofDefaults("t"), scheduler, Clock.systemUTC());
    }

    static VerificationCommandResult run(CommandExecutor ex, VerificationCommand c) throws Exception {
        return ex.execute(c).get(10, TimeUnit.SECONDS);
    }

    @Test
    void sendIsRetriedWhenItCertainlyNeverReachedEgoi() throws Exception {
        egoi.then(new EgoiResult.ConnectionRefused()).then(new EgoiResult.RateLimited(Optional.empty()))
                .then(new EgoiResult.Sent("p1"));
        VerificationCommandResult r = run(executor(retries), Commands.send(Instant.now().plusSeconds(30)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
        assertThat(r.getProviderRequestId()).isEqualTo("p1");
        assertThat(r.getProviderCalls()).isEqualTo(3);
        assertThat(r.getCallStartedAt()).isNotNull();
    }

    @Test
    void sendIsRetriedOnTheNotProcessedStatuses429And503Only() throws Exception {
        egoi.then(new EgoiResult.ServerError(503)).then(new EgoiResult.ServerError(503))
                .then(new EgoiResult.Sent("p1"));
        assertThat(run(executor(retries), Commands.send(Instant.now().plusSeconds(30))).getStatus())
                .isEqualTo(CommandStatus.SENT);
        for (int status : new int[] {500, 502, 504}) {
            egoi.calls.set(0);
            egoi.then(new EgoiResult.ServerError(status)).then(new EgoiResult.Sent("p2"));
            VerificationCommandResult r = run(executor(retries), Commands.send(Instant.now().plusSeconds(30)));
            assertThat(r.getStatus()).as("HTTP %d", status).isEqualTo(CommandStatus.UNAVAILABLE);
            assertThat(egoi.calls.get()).as("HTTP %d: calls", status).isEqualTo(1);
            egoi.script.clear();
        }
    }

    @Test
    void theNotProcessedStatusesAreConfigurable() throws Exception {
        WorkerConfig.Retries only429 = new WorkerConfig.Retries(3, 4, Duration.ofMillis(1), Duration.ofMillis(5),
                false, Set.of(429), 3);
        egoi.then(new EgoiResult.ServerError(503)).then(new EgoiResult.Sent("p1"));
        assertThat(run(executor(only429), Commands.send(Instant.now().plusSeconds(30))).getStatus())
                .isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(1);
    }

    @Test
    void aMalformed2xxOrAReadTimeoutIsAnUnknownOutcomeAndNotRetried() throws Exception {
        egoi.then(new EgoiResult.MalformedBody(201, "no verifyId")).then(new EgoiResult.Sent("p1"));
        assertThat(run(executor(retries), Commands.send(Instant.now().plusSeconds(30))).getStatus())
                .isEqualTo(CommandStatus.UNAVAILABLE);
        egoi.script.clear();
        egoi.then(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE)).then(new EgoiResult.Sent("p1"));
        assertThat(run(executor(retries), Commands.send(Instant.now().plusSeconds(30))).getStatus())
                .isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(2);
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        egoi.then(new EgoiResult.RateLimited(Optional.of(Duration.ofMillis(400)))).then(new EgoiResult.Sent("p1"));
        long t0 = System.nanoTime();
        assertThat(run(executor(retries), Commands.send(Instant.now().plusSeconds(30))).getStatus())
                .isEqualTo(CommandStatus.SENT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void everyRetryIsReportedWithItsOperationAndCause() throws Exception {
        RecordingMetrics metrics = new RecordingMetrics();
        CommandExecutor ex = new CommandExecutor(egoi, PROFILES, retries, CircuitBreaker.ofDefaults("t"), scheduler,
                Clock.systemUTC(), metrics);
        egoi.then(new EgoiResult.ConnectionRefused()).then(new EgoiResult.Timeout(EgoiResult.Phase.CONNECT))
                .then(new EgoiResult.Sent("p1"));
        assertThat(run(ex, Commands.send(Instant.now().plusSeconds(30))).getStatus()).isEqualTo(CommandStatus.SENT);
        egoi.then(new EgoiResult.ServerError(503)).then(new EgoiResult.Verified());
        assertThat(run(ex, Commands.check()).getStatus()).isEqualTo(CommandStatus.VERIFIED);
        egoi.then(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
        assertThat(run(ex, Commands.send(Instant.now().plusSeconds(30))).getStatus())
                .isEqualTo(CommandStatus.UNAVAILABLE);

        assertThat(metrics.retries).containsOnlyKeys("send/connection_refused", "send/timeout_connect",
                "validate/server_error");
        assertThat(metrics.retries.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    }

    @Test
    void sendWithAnUnknownOutcomeIsRetriedWhenTheOperatorOptsIn() throws Exception {
        egoi.then(new EgoiResult.ServerError(500)).then(new EgoiResult.Sent("p1"));
        VerificationCommandResult r = run(executor(new WorkerConfig.Retries(3, 4, Duration.ofMillis(1),
                Duration.ofMillis(5), true)), Commands.send(Instant.now().plusSeconds(30)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
    }

    @Test
    void commandPastItsDeadlineIsAnsweredWithoutACall() throws Exception {
        VerificationCommandResult r = run(executor(retries), Commands.send(Instant.now().minusSeconds(1)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.DEADLINE_PASSED);
        assertThat(egoi.calls.get()).isZero();
    }

    @Test
    void noRetryStartsAfterTheDeadline() throws Exception {
        egoi.then(new EgoiResult.RateLimited(Optional.of(Duration.ofSeconds(60)))).then(new EgoiResult.Sent("p"));
        VerificationCommandResult r = run(executor(retries), Commands.send(Instant.now().plusSeconds(2)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(1);
    }

    /** A wait no scheduler can take (its millis overflow a long) once left the command's future pending for ever. */
    @Test
    void aRetryThatCannotBeScheduledStillAnswersTheCommand() throws Exception {
        egoi.then(new EgoiResult.RateLimited(Optional.of(Duration.ofSeconds(99_999_999_999_999_999L))))
                .then(new EgoiResult.Sent("p"));
        VerificationCommandResult r = run(executor(retries), Commands.send(Instant.now().plusSeconds(30)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getDetail()).startsWith("internal error");
        assertThat(egoi.calls.get()).isEqualTo(1);
    }

    /** CONTRACTS invariant 4: a validate E-goi may have judged is never made again (it could count twice there). */
    @Test
    void guideCheckEndsUnjudgedWhenTheValidateOutcomeIsUnknown() throws Exception {
        egoi.fallback = op -> new EgoiResult.Verified(); // what a second validate would have answered
        egoi.then(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
        VerificationCommandResult r = run(executor(retries), Commands.check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(1);

        egoi.then(new EgoiResult.ServerError(500));
        assertThat(run(executor(retries), Commands.check()).getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(2);
    }

    @Test
    void guideCheckRepeatsAValidateEgoiDidNotProcess() throws Exception {
        egoi.then(new EgoiResult.ServerError(503)).then(new EgoiResult.RateLimited(Optional.empty()))
                .then(new EgoiResult.WrongCode("Invalid_Code"));
        VerificationCommandResult r = run(executor(retries), Commands.check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.WRONG_CODE);
        assertThat(r.getProviderCalls()).isEqualTo(3);
        assertThat(egoi.operations).containsOnly("validate");
    }

    @Test
    void alreadyVerifiedAfterANotProcessedValidateStaysAlreadyVerified() throws Exception {
        egoi.then(new EgoiResult.ServerError(503)).then(new EgoiResult.AlreadyVerified());
        assertThat(run(executor(retries), Commands.check()).getStatus()).isEqualTo(CommandStatus.ALREADY_VERIFIED);
    }

    @Test
    void alreadyVerifiedOnAFirstCheckStaysAlreadyVerified() throws Exception {
        egoi.then(new EgoiResult.AlreadyVerified());
        assertThat(run(executor(retries), Commands.check()).getStatus()).isEqualTo(CommandStatus.ALREADY_VERIFIED);
    }

    @Test
    void checkGivesUpAfterMaxAttempts() throws Exception {
        egoi.fallback = op -> new EgoiResult.ServerError(503);
        VerificationCommandResult r = run(executor(retries), Commands.check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(4);
    }

    @Test
    void guideAnswersMapToStatuses() throws Exception {
        egoi.then(new EgoiResult.WrongCode("Invalid_Code")).then(new EgoiResult.Expired())
                .then(new EgoiResult.Rejected(400, null)).then(new EgoiResult.UnrecognisedStatus(200, "Odd"));
        CommandExecutor ex = executor(retries);
        assertThat(run(ex, Commands.check()).getStatus()).isEqualTo(CommandStatus.WRONG_CODE);
        assertThat(run(ex, Commands.check()).getStatus()).isEqualTo(CommandStatus.CODE_EXPIRED);
        assertThat(run(ex, Commands.check()).getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(run(ex, Commands.check()).getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
    }

    @Test
    void unknownProfileAndInvalidRequestAreRejectedWithoutACall() throws Exception {
        VerificationCommand unknown = Commands.send(Instant.now().plusSeconds(30));
        unknown.setSenderProfile("nope");
        assertThat(run(executor(retries), unknown).getStatus()).isEqualTo(CommandStatus.REJECTED);
        VerificationCommand badType = Commands.send(Instant.now().plusSeconds(30));
        ((SendCode) badType.getAction()).setCodeType("emoji");
        assertThat(run(executor(retries), badType).getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(egoi.calls.get()).isZero();
    }

    /** Issue 10.5: a request refused before any call is REJECTED, and the breaker never counts it as E-goi's fault. */
    @Test
    void aLocalRefusalIsNeitherAFailedFutureNorABreakerFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("t");
        try (EgoiClient client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.V2,
                URI.create("http://127.0.0.1:" + port + "/api")))) {
            CommandExecutor ex = new CommandExecutor(client, PROFILES, retries, breaker, scheduler,
                    Clock.systemUTC());
            for (int i = 0; i < 60; i++) {
                VerificationCommand c = Commands.of(Commands.sendCode("351-910000000"), Instant.now().plusSeconds(30));
                VerificationCommandResult r = run(ex, c);
                assertThat(r.getStatus()).isEqualTo(CommandStatus.REJECTED);
                assertThat(r.getDetail()).contains("not E.164").doesNotContain("910000000");
            }
            VerificationCommand tooLong = Commands.of(Commands.sendCode("+351910000000"), Instant.now().plusSeconds(30));
            ((SendCode) tooLong.getAction()).setTtlSeconds(7200);
            assertThat(run(ex, tooLong).getStatus()).isEqualTo(CommandStatus.REJECTED);
        }
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isZero();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
}
