package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommandResult;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A command whose partition a rebalance holds (revoked or lost, not yet known to come back) starts no E-goi call:
 * after a lost session the group may have given the partition to another member already, which runs the same
 * command (for a send, a second SMS with another code). The command waits for the partition's return, its give-up or
 * its deadline. Before, only a partition given up stopped calls, so a send in a 429 backoff or waiting for an open
 * breaker called E-goi during the whole time the member was out of the group.
 */
@Timeout(30)
class HeldPartitionTest {
    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    final ScriptedEgoi egoi = new ScriptedEgoi(Dialect.V2);
    final WorkerConfig.Retries retries = new WorkerConfig.Retries(3, 3, Duration.ofMillis(1), Duration.ofMillis(5),
            false);
    /** Open for an hour: it stays open until a test closes it. */
    final CircuitBreaker breaker = new WorkerConfig.Breaker(50f, 4, 4, Duration.ofHours(1), 2).registry()
            .circuitBreaker("egoi");
    /** The partition's progress, as the worker keeps it: held by a rebalance, released or given up after it. */
    final PartitionProgress partition = new PartitionProgress(null);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    CommandExecutor executor() {
        return new CommandExecutor(egoi, BreakerWaitTest.PROFILES, retries, breaker, scheduler, Clock.systemUTC());
    }

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
