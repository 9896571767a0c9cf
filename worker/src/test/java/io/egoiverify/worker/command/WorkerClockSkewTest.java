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
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A command's {@code issuedAt} and {@code deadline} are instants on the lifecycle's clock, and the worker compares
 * them with its own. Here the worker's clock is offset from the lifecycle's (the system clock stands for the
 * lifecycle's: commands are stamped from it).
 */
@Timeout(30)
class WorkerClockSkewTest {
    static final SenderProfiles PROFILES = SenderProfiles.of(new SenderProfile("default", "k", "s", "1", null));
    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    final WorkerConfig.Retries retries = new WorkerConfig.Retries(3, 4, Duration.ofMillis(1), Duration.ofMillis(5),
            false);
    final ScriptedEgoi egoi = new ScriptedEgoi(Dialect.V2);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    CommandExecutor worker(Duration ahead, CircuitBreaker breaker) {
        return new CommandExecutor(egoi, PROFILES, retries, breaker, scheduler,
                Clock.offset(Clock.systemUTC(), ahead));
    }

    /** A send as the lifecycle issues it now, with {@code budget} until its deadline. */
    static VerificationCommand freshSend(Duration budget) {
        Instant issued = Instant.now();
        VerificationCommand c = Commands.send(issued.plus(budget));
        c.setIssuedAt(issued);
        return c;
    }

    @Test
    void aWorkerAheadByTheSendDeadlineRefusesEveryFreshSendWithoutACall() throws Exception {
        egoi.fallback = op -> new EgoiResult.Sent("p");
        CommandExecutor ahead = worker(Duration.ofSeconds(60), CircuitBreaker.ofDefaults("t"));
        VerificationCommandResult r = ahead.execute(freshSend(Duration.ofSeconds(30))).get(10, TimeUnit.SECONDS);
        // Not detectable here: a clock ahead and a command that waited in the topic look the same.
        assertThat(r.getStatus()).isEqualTo(CommandStatus.DEADLINE_PASSED);
        assertThat(egoi.calls.get()).isZero();
    }

    @Test
    void aWorkerAFewSecondsAheadSendsAndReportsItsOwnClock() throws Exception {
        egoi.fallback = op -> new EgoiResult.Sent("p");
        VerificationCommand c = freshSend(Duration.ofSeconds(30));
        VerificationCommandResult r = worker(Duration.ofSeconds(5), CircuitBreaker.ofDefaults("t")).execute(c)
                .get(10, TimeUnit.SECONDS);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
        // The lifecycle keeps it within [issuedAt, its now] (InFlight.callStart).
        assertThat(r.getCallStartedAt()).isAfterOrEqualTo(c.getIssuedAt().plusSeconds(5));
    }

    /**
     * A worker behind the lifecycle waits for an open breaker until the deadline on its own clock: 10 s behind, it
     * called E-goi when the breaker closed 2 s after the lifecycle's deadline, and the SMS went out for a verification
     * the lifecycle fails at deadline + resultGrace (15 s by default) once the clock is more than the grace behind.
     * The command was issued "after" the worker's now: the worker's clock is at least that much behind, and the
     * deadline comes that much earlier on it.
     */
    @Test
    void aWorkerBehindStopsWaitingForTheBreakerAtTheLifecyclesDeadline() throws Exception {
        egoi.fallback = op -> new EgoiResult.Sent("p");
        CircuitBreaker breaker = new WorkerConfig.Breaker(50f, 4, 4, Duration.ofMillis(300), 2).registry()
                .circuitBreaker("egoi");
        breaker.transitionToForcedOpenState();
        CommandExecutor behind = worker(Duration.ofSeconds(-10), breaker);
        CompletableFuture<VerificationCommandResult> f = behind.execute(freshSend(Duration.ofSeconds(1)));
        scheduler.schedule(breaker::transitionToClosedState, 3, TimeUnit.SECONDS);
        VerificationCommandResult r = f.get(20, TimeUnit.SECONDS);
        assertThat(r.getStatus()).as(r.getDetail()).isEqualTo(CommandStatus.DEADLINE_PASSED);
        assertThat(egoi.calls.get()).as("no call after the lifecycle's deadline").isZero();
    }

    /**
     * The worker's clock steps forward past a command's deadline while the command waits for an open breaker (NTP
     * correcting a clock that was behind). The wait's end was scheduled in real time when it began, so the breaker
     * closing before then granted a call that started after the deadline on the worker's clock.
     */
    @Test
    void aWorkerClockSteppingPastTheDeadlineDuringABreakerWaitMakesNoCall() throws Exception {
        egoi.fallback = op -> new EgoiResult.Sent("p");
        CircuitBreaker breaker = new WorkerConfig.Breaker(50f, 4, 4, Duration.ofMillis(300), 2).registry()
                .circuitBreaker("egoi");
        breaker.transitionToForcedOpenState();
        AtomicReference<Duration> step = new AtomicReference<>(Duration.ZERO);
        Clock stepping = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.now().plus(step.get());
            }
        };
        CommandExecutor worker = new CommandExecutor(egoi, PROFILES, retries, breaker, scheduler, stepping);
        CompletableFuture<VerificationCommandResult> f = worker.execute(freshSend(Duration.ofSeconds(8)));
        scheduler.schedule(() -> step.set(Duration.ofSeconds(20)), 300, TimeUnit.MILLISECONDS);
        scheduler.schedule(breaker::transitionToClosedState, 1, TimeUnit.SECONDS);
        VerificationCommandResult r = f.get(20, TimeUnit.SECONDS);
        assertThat(r.getStatus()).as(r.getDetail()).isEqualTo(CommandStatus.DEADLINE_PASSED);
        assertThat(egoi.calls.get()).as("no call after the deadline on the worker's clock").isZero();
    }
}
