package io.egoiverify.worker.command;

import static io.egoiverify.worker.command.CommandHandler.Standing.givenUpWhen;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.command.CommandHandler.Standing;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiResult;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A command whose partition was given up (handed over to another instance after the revoke grace) makes no further
 * E-goi call: its result would be dropped while the new owner makes the same call — for a send, a second SMS with
 * another code. Checked where a command can wait: for an open breaker, and in a retry backoff.
 */
@Timeout(30)
class GivenUpPartitionTest {
    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    final ScriptedEgoi egoi = new ScriptedEgoi(Dialect.V2);
    final WorkerConfig.Retries retries = new WorkerConfig.Retries(3, 3, Duration.ofMillis(1), Duration.ofMillis(5),
            false);
    /** Open for an hour: it stays open until a test closes it. */
    final CircuitBreaker breaker = new WorkerConfig.Breaker(50f, 4, 4, Duration.ofHours(1), 2).registry()
            .circuitBreaker("egoi");

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    CommandExecutor executor() {
        return new CommandExecutor(egoi, BreakerWaitTest.PROFILES, retries, breaker, scheduler, Clock.systemUTC());
    }

    @Test
    void aCommandWaitingForAnOpenBreakerWhosePartitionIsGivenUpMakesNoCallWhenItCloses() throws Exception {
        egoi.fallback = op -> new EgoiResult.Sent("p");
        breaker.transitionToOpenState();
        CommandExecutor ex = executor();
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<VerificationCommandResult> handedOver = ex.execute(
                Commands.send(Instant.now().plusSeconds(25)), givenUpWhen(gone::get));
        CompletableFuture<VerificationCommandResult> kept = ex.execute(Commands.send(Instant.now().plusSeconds(25)),
                Standing.OWNED);
        assertThat(egoi.calls.get()).as("no call while open").isZero();

        gone.set(true); // the revoke grace ran out and the partition went to another instance
        breaker.transitionToClosedState(); // E-goi is back: every waiter is let go
        VerificationCommandResult r = handedOver.get(10, TimeUnit.SECONDS);
        VerificationCommandResult k = kept.get(10, TimeUnit.SECONDS);
        assertThat(egoi.calls.get()).as("only the kept command called").isEqualTo(1);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getProviderCalls()).isZero();
        assertThat(r.getDetail()).contains("partition given up");
        assertThat(k.getStatus()).as("a partition kept still calls").isEqualTo(CommandStatus.SENT);
        assertThat(k.getProviderCalls()).isEqualTo(1);
        assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).as("the breaker saw one call").isEqualTo(1);
    }

    @Test
    void aCommandWaitingForAnOpenBreakerEndsAsSoonAsItsPartitionIsGivenUp() throws Exception {
        breaker.transitionToOpenState();
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<VerificationCommandResult> f = executor().execute(
                Commands.send(Instant.now().plusSeconds(25)), givenUpWhen(gone::get));
        gone.set(true);
        // it leaves the gate at the next tick, the breaker still open: its in-flight slot is not held to its deadline
        VerificationCommandResult r = f.get(10, TimeUnit.SECONDS);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(r.getProviderCalls()).isZero();
        assertThat(egoi.calls.get()).isZero();
    }

    @Test
    void aGivenUpWaiterIsNeverGrantedAndHoldsNoPermission() throws Exception {
        breaker.transitionToOpenState();
        BreakerGate gate = new BreakerGate(breaker, scheduler, Clock.systemUTC(), Duration.ofMillis(20));
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<BreakerGate.Grant> waiting = gate.acquire(Instant.now().plusSeconds(25), gone::get);
        CompletableFuture<BreakerGate.Grant> kept = gate.acquire(Instant.now().plusSeconds(25), () -> false);
        assertThat(gate.waiting()).isEqualTo(2);

        gone.set(true);
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(BreakerGate.Grant.GIVEN_UP);
        assertThat(gate.waiting()).isEqualTo(1);
        breaker.transitionToHalfOpenState(); // two probe permissions: only the kept waiter takes one
        assertThat(kept.get(10, TimeUnit.SECONDS)).isEqualTo(BreakerGate.Grant.GRANTED);
        assertThat(gate.acquire(Instant.now().plusSeconds(25), () -> true).get(10, TimeUnit.SECONDS))
                .as("asked after it was given up").isEqualTo(BreakerGate.Grant.GIVEN_UP);
        assertThat(breaker.tryAcquirePermission()).as("the second probe permission is still free").isTrue();
    }

    @Test
    void aCommandInARetryBackoffWhosePartitionIsGivenUpMakesNoFurtherCall() throws Exception {
        egoi.then(new EgoiResult.RateLimited(Optional.of(Duration.ofSeconds(60)))).then(new EgoiResult.Sent("p"));
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<VerificationCommandResult> f = executor().execute(
                Commands.send(Instant.now().plusSeconds(120)), givenUpWhen(gone::get));
        assertThat(egoi.calls.get()).as("the first call, answered 429 with Retry-After 60 s").isEqualTo(1);

        gone.set(true);
        // ends within the given-up check, not after the 60 s backoff
        VerificationCommandResult r = f.get(10, TimeUnit.SECONDS);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getDetail()).contains("partition given up after 1 call");
        assertThat(egoi.calls.get()).as("no call after the partition was given up").isEqualTo(1);
    }

    @Test
    void aV2CheckWhosePartitionIsGivenUpDuringItsBackoffReadsNoStatus() throws Exception {
        // a validate with an unknown outcome is followed, after a backoff, by a status read
        WorkerConfig.Retries slow = new WorkerConfig.Retries(3, 3, Duration.ofSeconds(20), Duration.ofSeconds(20),
                false);
        egoi.then(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE)).then(new EgoiResult.Verified());
        AtomicBoolean gone = new AtomicBoolean();
        CompletableFuture<VerificationCommandResult> f = new CommandExecutor(egoi, BreakerWaitTest.PROFILES, slow,
                breaker, scheduler, Clock.systemUTC()).execute(Commands.check(), givenUpWhen(gone::get));
        assertThat(egoi.operations).containsExactly("validate");

        gone.set(true);
        VerificationCommandResult r = f.get(10, TimeUnit.SECONDS);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.operations).containsExactly("validate");
    }

    @Test
    void aCommandInARetryBackoffWhosePartitionIsKeptStillCalls() throws Exception {
        egoi.then(new EgoiResult.RateLimited(Optional.of(Duration.ofMillis(700)))).then(new EgoiResult.Sent("p"));
        VerificationCommandResult r = executor().execute(Commands.send(Instant.now().plusSeconds(30)), Standing.OWNED)
                .get(10, TimeUnit.SECONDS);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
        assertThat(egoi.calls.get()).isEqualTo(2);
    }
}
