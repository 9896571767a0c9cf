package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.EgoiApi;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The retry policy, with a scripted E-goi (a single-class unit test). */
@Timeout(30)
class CommandExecutorTest {
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final Scripted egoi = new Scripted();
    final WorkerConfig.Retries retries = new WorkerConfig.Retries(3, 4, Duration.ofMillis(1), Duration.ofMillis(5),
            false);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    CommandExecutor executor(WorkerConfig.Retries r) {
        return new CommandExecutor(egoi, SenderProfiles.of(new SenderProfile("default", "k", "s")), r,
                CircuitBreaker.ofDefaults("t"), scheduler, Clock.systemUTC());
    }

    static VerificationCommand send(Instant deadline) {
        return VerificationCommand.newBuilder().setCommandId("c1").setRequestId("r1").setIssuedAt(Instant.now())
                .setDeadline(deadline).setSenderProfile("default")
                .setAction(SendCode.newBuilder().setPhoneNumber("+351910000000").setCodeType("numeric").setCodeSize(4)
                        .setTtlSeconds(60).setMessage("{CODE}").build()).build();
    }

    static VerificationCommand check() {
        return VerificationCommand.newBuilder().setCommandId("c2").setRequestId("r1").setIssuedAt(Instant.now())
                .setDeadline(Instant.now().plusSeconds(30)).setSenderProfile("default")
                .setAction(CheckCode.newBuilder().setProviderRequestId("p").setSubmissionId("s").setCode("1234").build())
                .build();
    }

    VerificationCommandResult run(CommandExecutor ex, VerificationCommand c) throws Exception {
        return ex.execute(c).get(10, TimeUnit.SECONDS);
    }

    @Test
    void sendIsRetriedWhenItCertainlyNeverReachedEgoi() throws Exception {
        egoi.then(new EgoiResult.ConnectionRefused()).then(new EgoiResult.RateLimited(Optional.empty()))
                .then(new EgoiResult.Sent("p1"));
        VerificationCommandResult r = run(executor(retries), send(Instant.now().plusSeconds(30)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
        assertThat(r.getProviderRequestId()).isEqualTo("p1");
        assertThat(r.getProviderCalls()).isEqualTo(3);
        assertThat(r.getCallStartedAt()).isNotNull();
    }

    @Test
    void everyRetryIsReportedWithItsOperationAndCause() throws Exception {
        RecordingMetrics metrics = new RecordingMetrics();
        CommandExecutor ex = new CommandExecutor(egoi, SenderProfiles.of(new SenderProfile("default", "k", "s")),
                retries, CircuitBreaker.ofDefaults("t"), scheduler, Clock.systemUTC(), metrics);
        egoi.then(new EgoiResult.ConnectionRefused()).then(new EgoiResult.Timeout(EgoiResult.Phase.CONNECT))
                .then(new EgoiResult.Sent("p1"));
        assertThat(run(ex, send(Instant.now().plusSeconds(30))).getStatus()).isEqualTo(CommandStatus.SENT);
        egoi.then(new EgoiResult.ServerError(503)).then(new EgoiResult.Verified());
        assertThat(run(ex, check()).getStatus()).isEqualTo(CommandStatus.VERIFIED);
        egoi.then(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
        assertThat(run(ex, send(Instant.now().plusSeconds(30))).getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);

        assertThat(metrics.retries).containsOnlyKeys("send/connection_refused", "send/timeout_connect",
                "validate/server_error");
        assertThat(metrics.retries.values()).allSatisfy(n -> assertThat(n).hasValue(1));
    }

    @Test
    void sendWithAnUnknownOutcomeIsNotRetried() throws Exception {
        egoi.then(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE)).then(new EgoiResult.Sent("p1"));
        VerificationCommandResult r = run(executor(retries), send(Instant.now().plusSeconds(30)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(1);
    }

    @Test
    void sendWithAnUnknownOutcomeIsRetriedWhenTheOperatorOptsIn() throws Exception {
        egoi.then(new EgoiResult.ServerError(500)).then(new EgoiResult.Sent("p1"));
        VerificationCommandResult r = run(executor(new WorkerConfig.Retries(3, 4, Duration.ofMillis(1),
                Duration.ofMillis(5), true)), send(Instant.now().plusSeconds(30)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
    }

    @Test
    void commandPastItsDeadlineIsAnsweredWithoutACall() throws Exception {
        VerificationCommandResult r = run(executor(retries), send(Instant.now().minusSeconds(1)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.DEADLINE_PASSED);
        assertThat(egoi.calls.get()).isZero();
    }

    @Test
    void noRetryStartsAfterTheDeadline() throws Exception {
        egoi.then(new EgoiResult.RateLimited(Optional.of(Duration.ofSeconds(60)))).then(new EgoiResult.Sent("p"));
        VerificationCommandResult r = run(executor(retries), send(Instant.now().plusSeconds(2)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(1);
    }

    @Test
    void checkRetriesTimeoutsAndServerErrorsAndAlreadyVerifiedThenCountsAsVerified() throws Exception {
        egoi.then(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE)).then(new EgoiResult.ServerError(503))
                .then(new EgoiResult.AlreadyVerified());
        VerificationCommandResult r = run(executor(retries), check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.VERIFIED);
        assertThat(r.getProviderCalls()).isEqualTo(3);
    }

    @Test
    void alreadyVerifiedOnAFirstCheckStaysAlreadyVerified() throws Exception {
        egoi.then(new EgoiResult.AlreadyVerified());
        assertThat(run(executor(retries), check()).getStatus()).isEqualTo(CommandStatus.ALREADY_VERIFIED);
    }

    @Test
    void checkGivesUpAfterMaxAttempts() throws Exception {
        for (int i = 0; i < 10; i++) {
            egoi.then(new EgoiResult.ServerError(500));
        }
        VerificationCommandResult r = run(executor(retries), check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.calls.get()).isEqualTo(4);
    }

    @Test
    void openCircuitBreakerMakesNoCallAndEndsUnavailable() throws Exception {
        CircuitBreaker open = CircuitBreaker.ofDefaults("open");
        open.transitionToForcedOpenState();
        CommandExecutor ex = new CommandExecutor(egoi, SenderProfiles.of(new SenderProfile("default", "k", "s")),
                retries, open, scheduler, Clock.systemUTC());
        VerificationCommandResult r = run(ex, send(Instant.now().plusSeconds(30)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getDetail()).contains("circuit breaker open");
        assertThat(r.getProviderCalls()).isZero();
        assertThat(egoi.calls.get()).isZero();
    }

    @Test
    void answersMapToStatuses() throws Exception {
        egoi.then(new EgoiResult.WrongCode("Invalid_Code")).then(new EgoiResult.Expired())
                .then(new EgoiResult.Rejected(400, null)).then(new EgoiResult.UnrecognisedStatus(200, "Odd"));
        CommandExecutor ex = executor(retries);
        assertThat(run(ex, check()).getStatus()).isEqualTo(CommandStatus.WRONG_CODE);
        assertThat(run(ex, check()).getStatus()).isEqualTo(CommandStatus.CODE_EXPIRED);
        assertThat(run(ex, check()).getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(run(ex, check()).getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
    }

    @Test
    void invalidNumberAndUnknownProfileAreRejectedWithoutACall() throws Exception {
        VerificationCommand bad = send(Instant.now().plusSeconds(30));
        ((SendCode) bad.getAction()).setPhoneNumber("+35191");
        assertThat(run(executor(retries), bad).getStatus()).isEqualTo(CommandStatus.REJECTED);
        VerificationCommand unknown = send(Instant.now().plusSeconds(30));
        unknown.setSenderProfile("nope");
        assertThat(run(executor(retries), unknown).getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(egoi.calls.get()).isZero();
    }

    /** Answers from a script, in order. */
    static final class Scripted implements EgoiApi {
        final Deque<EgoiResult> script = new ArrayDeque<>();
        final AtomicInteger calls = new AtomicInteger();

        Scripted then(EgoiResult r) {
            script.add(r);
            return this;
        }

        private synchronized CompletableFuture<EgoiResult> next() {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(script.poll());
        }

        @Override
        public CompletableFuture<EgoiResult> send(SenderProfile profile, SendRequest request) {
            return next();
        }

        @Override
        public CompletableFuture<EgoiResult> validate(SenderProfile profile, String providerRequestId, String code) {
            return next();
        }
    }
}
