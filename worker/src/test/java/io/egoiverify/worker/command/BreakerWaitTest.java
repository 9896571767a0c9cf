package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An open circuit breaker never fails a command by itself: commands wait without spending attempts, a bounded number
 * of probes goes when it half-opens, everything goes once it closes; only a command's own deadline ends the wait.
 */
@Timeout(30)
class BreakerWaitTest {
    static final SenderProfiles PROFILES = SenderProfiles.of(new SenderProfile("default", "k", "s", "1", null));
    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    /** Two attempts, and a backoff long enough that every command has made its first call before any retry. */
    final WorkerConfig.Retries retries = new WorkerConfig.Retries(2, 2, Duration.ofMillis(200), Duration.ofMillis(400),
            false);
    final CircuitBreaker breaker = new WorkerConfig.Breaker(50f, 4, 4, Duration.ofMillis(300), 2).registry()
            .circuitBreaker("egoi");

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    CommandExecutor executor(ScriptedEgoi egoi) {
        return new CommandExecutor(egoi, PROFILES, retries, breaker, scheduler, Clock.systemUTC());
    }

    @Test
    void commandsWaitForAnOpenBreakerAndGoWhenItCloses() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.V2);
        AtomicInteger callsWhileNotClosed = new AtomicInteger();
        egoi.fallback = op -> {
            if (breaker.getState() != CircuitBreaker.State.CLOSED) {
                callsWhileNotClosed.incrementAndGet();
            }
            return new EgoiResult.Sent("p");
        };
        breaker.transitionToOpenState();
        CommandExecutor ex = executor(egoi);
        List<CompletableFuture<VerificationCommandResult>> pending = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pending.add(ex.execute(Commands.send(Instant.now().plusSeconds(20))));
        }
        assertThat(egoi.calls.get()).as("no call while open").isZero();
        for (CompletableFuture<VerificationCommandResult> f : pending) {
            VerificationCommandResult r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
            assertThat(r.getProviderCalls()).as("waiting spent no attempt").isEqualTo(1);
        }
        assertThat(egoi.calls.get()).isEqualTo(20);
        assertThat(callsWhileNotClosed.get()).as("probes while half-open").isLessThanOrEqualTo(2);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void duringAnOutageOnlyTheProbesGoAndEveryCommandStillSucceedsAfterIt() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.V2);
        AtomicBoolean outage = new AtomicBoolean(true);
        AtomicInteger callsDuringOutage = new AtomicInteger();
        egoi.fallback = op -> {
            if (outage.get()) {
                callsDuringOutage.incrementAndGet();
                return new EgoiResult.ConnectionRefused();
            }
            return new EgoiResult.Sent("p");
        };
        CommandExecutor ex = executor(egoi);
        List<CompletableFuture<VerificationCommandResult>> pending = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pending.add(ex.execute(Commands.send(Instant.now().plusSeconds(20))));
        }
        // the outage lasts well beyond the breaker's open duration (300 ms): several half-open rounds of probes
        scheduler.schedule(() -> outage.set(false), 1500, TimeUnit.MILLISECONDS);
        for (CompletableFuture<VerificationCommandResult> f : pending) {
            VerificationCommandResult r = f.get(15, TimeUnit.SECONDS);
            assertThat(r.getStatus()).as(r.getDetail()).isEqualTo(CommandStatus.SENT);
        }
        // before it opened: at most the window's 4 calls plus retries; then 2 probes per half-open round
        assertThat(callsDuringOutage.get()).isLessThan(50);
    }

    @Test
    void onlyTheDeadlineEndsTheWait() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.V2);
        breaker.transitionToForcedOpenState();
        VerificationCommandResult r = executor(egoi).execute(Commands.send(Instant.now().plusMillis(1500)))
                .get(10, TimeUnit.SECONDS);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.DEADLINE_PASSED);
        assertThat(r.getDetail()).contains("circuit breaker open");
        assertThat(r.getProviderCalls()).isZero();
        assertThat(egoi.calls.get()).isZero();
    }

    @Test
    void aCommandThatCalledBeforeTheBreakerOpenedEndsUnavailableAtItsDeadline() throws Exception {
        ScriptedEgoi egoi = new ScriptedEgoi(Dialect.GUIDE);
        egoi.fallback = op -> {
            breaker.transitionToForcedOpenState();
            return new EgoiResult.ServerError(503);
        };
        VerificationCommandResult r = executor(egoi).execute(Commands.send(Instant.now().plusMillis(1500)))
                .get(10, TimeUnit.SECONDS);
        assertThat(r.getStatus()).as(r.getDetail() + " calls=" + r.getProviderCalls())
                .isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getDetail()).contains("deadline reached after 1 call");
    }
}
