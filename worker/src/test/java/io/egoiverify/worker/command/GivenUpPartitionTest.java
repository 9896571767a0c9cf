package io.egoiverify.worker.command;

import static io.egoiverify.worker.command.CommandHandler.Standing.givenUpWhen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A command whose partition was given up (handed over to another instance after the revoke grace) makes no further
 * E-goi call: its result would be dropped while the new owner makes the same call — for a send, a second SMS with
 * another code. Checked where a command can wait: for an open breaker, and in a retry backoff. One whose partition is
 * held mid-rebalance starts none until it is known to come back ({@link Held}).
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

    /**
     * A command whose partition a rebalance holds (revoked or lost, not yet known to come back) starts no E-goi call:
     * after a lost session the group may have given the partition to another member already, which runs the same
     * command (for a send, a second SMS with another code). The command waits for the partition's return, its give-up
     * or its deadline. Before, only a partition given up stopped calls, so a send in a 429 backoff or waiting for an
     * open breaker called E-goi during the whole time the member was out of the group.
     */
    @Nested
    class Held {
        /** The partition's progress, as the worker keeps it: held by a rebalance, released or given up after it. */
        final PartitionProgress partition = new PartitionProgress(null);

        @Test
        void aSendInARetryBackoffMakesNoCallWhileItsPartitionIsHeldAndGoesOnWhenItComesBack() throws Exception {
            egoi.then(new EgoiResult.RateLimited(Optional.of(Duration.ofMillis(200)))).then(new EgoiResult.Sent("p"));
            CompletableFuture<VerificationCommandResult> f = executor().execute(
                    Commands.send(Instant.now().plusSeconds(25)), partition);
            assertThat(egoi.calls.get()).as("the first call, answered 429 with Retry-After 200 ms").isEqualTo(1);

            partition.hold(); // the member's session expired: its partitions are lost, maybe owned by another already
            // well past the backoff: the retry would have been made by now
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> !f.isDone());
            assertThat(egoi.calls.get()).as("no call while held").isEqualTo(1);

            partition.release(); // it came back unchanged: nobody else ran the command
            VerificationCommandResult r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
            assertThat(egoi.calls.get()).isEqualTo(2);
        }

        @Test
        void aHeldSendWhosePartitionIsThenGivenUpEndsWithoutACall() throws Exception {
            egoi.then(new EgoiResult.RateLimited(Optional.of(Duration.ofMillis(100)))).then(new EgoiResult.Sent("p"));
            partition.hold();
            CompletableFuture<VerificationCommandResult> f = executor().execute(
                    Commands.send(Instant.now().plusSeconds(25)), partition);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !f.isDone());
            assertThat(egoi.calls.get()).as("a command held from the start makes no first call").isZero();

            partition.giveUp(); // the rebalance ended without it: another member owns it
            VerificationCommandResult r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
            assertThat(r.getDetail()).contains("partition given up");
            assertThat(egoi.calls.get()).isZero();
        }

        @Test
        void aSendWaitingForTheBreakerIsNotLetThroughWhileHeldAndHoldsNoPermission() throws Exception {
            egoi.fallback = op -> new EgoiResult.Sent("p");
            breaker.transitionToOpenState();
            CompletableFuture<VerificationCommandResult> f = executor().execute(
                    Commands.send(Instant.now().plusSeconds(25)), partition);
            partition.hold();
            breaker.transitionToHalfOpenState(); // two probe permissions
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !f.isDone());
            assertThat(egoi.calls.get()).as("granted while held: no call").isZero();
            assertThat(breaker.tryAcquirePermission() && breaker.tryAcquirePermission())
                    .as("both probe permissions free: the one it was granted was given back").isTrue();
            breaker.releasePermission();
            breaker.releasePermission();

            breaker.transitionToClosedState();
            partition.release();
            VerificationCommandResult r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
            assertThat(egoi.calls.get()).isEqualTo(1);
        }

        @Test
        void aHeldCommandEndsAtItsDeadlineWithoutACall() throws Exception {
            egoi.fallback = op -> new EgoiResult.Sent("p");
            partition.hold();
            VerificationCommandResult r = executor().execute(Commands.send(Instant.now().plusMillis(700)), partition)
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.getStatus()).isEqualTo(CommandStatus.DEADLINE_PASSED);
            assertThat(r.getProviderCalls()).isZero();
            assertThat(egoi.calls.get()).isZero();
        }

        @Test
        void aPartitionThatIsNotHeldLetsCallsStartAtOnce() throws Exception {
            egoi.fallback = op -> new EgoiResult.Sent("p");
            partition.hold();
            partition.release();
            assertThat(partition.held()).isFalse();
            assertThat(partition.unheld()).isDone();
            VerificationCommandResult r = executor().execute(Commands.send(Instant.now().plusSeconds(25)), partition)
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
        }

        @Test
        void aGivenUpPartitionIsNeverHeldAgain() {
            partition.giveUp();
            partition.hold();
            assertThat(partition.held()).as("nothing would ever release it").isFalse();
            assertThat(partition.givenUp()).isTrue();
        }
    }
}
