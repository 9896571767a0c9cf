package io.egoiverify.worker.command;

import io.egoiverify.worker.egoi.EgoiResult;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The E-goi calls made for one command, all bounded by its deadline and its number of calls: each call first waits for
 * the circuit breaker (spending no attempt), is recorded with it, and is repeated after a backoff while its
 * {@link RetryRule} says so. A call let through as a half-open probe that fails is not counted against the command's
 * attempts either: it is the breaker's test of E-goi, and the outage failed it. Several runs may follow one another
 * (a V2 check: validate, then status); they share the
 * command's budget. No call starts at or after the deadline. Futures complete exceptionally only when a step of the
 * loop itself throws (a bug): never left pending, the command is then answered as an internal error.
 *
 * <p>No call starts either once the command's partition was given up (handed over to another instance after the
 * revoke grace: its result would be dropped and the new owner makes the same call). That is checked before every
 * attempt, by the breaker gate before every grant, and at least every {@link #GIVEN_UP_CHECK} during a backoff, so a
 * given-up command ends soon, holding nothing, with {@link Outcome#givenUp()}.
 *
 * <p>While a rebalance holds the partition (revoked or lost, and not yet known to come back), no call starts either:
 * another member may own it already and make the same call. The next attempt waits, holding no breaker permission,
 * until the partition comes back (it goes on), is given up (it ends) or the deadline comes.
 */
final class CallLoop {
    private static final Logger LOG = LoggerFactory.getLogger(CallLoop.class);
    /** The longest a backoff waits without looking whether the command's partition was given up. */
    static final Duration GIVEN_UP_CHECK = Duration.ofMillis(500);
    /** A held command whose deadline passed on the real-time timer but not yet on the clock looks again this soon. */
    private static final Duration HOLD_RECHECK = Duration.ofMillis(1);

    /**
     * How a run ended: the last call's result and when that call started, or, when the deadline came first (while
     * waiting for the breaker or before a retry), {@code deadlineReached} with the last result seen (or
     * {@link EgoiResult.CircuitOpen} when this run made no call); or {@code givenUp}: the command's partition was
     * given up before the next call (the result, last seen or {@link EgoiResult.CircuitOpen}, is not an answer).
     */
    record Outcome(EgoiResult result, Instant startedAt, boolean deadlineReached, boolean givenUp) {
        static Outcome of(EgoiResult result, Instant startedAt) {
            return new Outcome(result, startedAt, false, false);
        }

        static Outcome deadline(EgoiResult last) {
            return new Outcome(last == null ? new EgoiResult.CircuitOpen() : last, null, true, false);
        }

        static Outcome givenUp(EgoiResult last) {
            return new Outcome(last == null ? new EgoiResult.CircuitOpen() : last, null, false, true);
        }

        /** The run stopped before its answer: deadline reached or partition given up. */
        boolean stopped() {
            return deadlineReached || givenUp;
        }
    }

    /** Services every command's loop shares. */
    record Services(CircuitBreaker breaker, BreakerGate gate, ScheduledExecutorService scheduler, Clock clock,
                    WorkerConfig.Retries retries, WorkerMetrics metrics) {
    }

    private final Services s;
    private final String requestId;
    private final Instant deadline;
    private final int maxCalls;
    private final CommandHandler.Standing standing;
    private int calls;
    /** Calls that count against {@code maxCalls}: a failed half-open probe does not (the outage failed it). */
    private int spent;

    /** @param standing where the command's partition stands: no call starts while it is held or once given up */
    CallLoop(Services services, String requestId, Instant deadline, int maxCalls, CommandHandler.Standing standing) {
        this.s = services;
        this.requestId = requestId;
        this.deadline = deadline;
        this.maxCalls = maxCalls;
        this.standing = standing;
    }

    /** HTTP calls made so far for this command. */
    int calls() {
        return calls;
    }

    /** Whether another call may still be made. */
    boolean hasBudget() {
        return spent < maxCalls && s.clock().instant().isBefore(deadline) && !standing.givenUp();
    }

    /** Calls until an answer {@code rule} does not retry, the budget is spent or the deadline passes. */
    CompletableFuture<Outcome> run(RetryRule rule, Supplier<CompletableFuture<EgoiResult>> call) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        attempt(rule, call, done, null);
        return done;
    }

    /** As {@link #run}, after a backoff (e.g. before reading a status after an unknown outcome). */
    CompletableFuture<Outcome> runAfterBackoff(RetryRule rule, Supplier<CompletableFuture<EgoiResult>> call,
                                               EgoiResult after) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        later(backoff(after), () -> step(done, () -> attempt(rule, call, done, null)), done, after);
        return done;
    }

    /**
     * Runs a step of the loop in a callback or a scheduled task, which would swallow an exception and leave the command
     * unanswered for ever (its partition's commit offset stuck behind it): the exception completes {@code done}.
     */
    private static void step(CompletableFuture<Outcome> done, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    /** @param last the previous call's result in this run, or null */
    private void attempt(RetryRule rule, Supplier<CompletableFuture<EgoiResult>> call,
                         CompletableFuture<Outcome> done, EgoiResult last) {
        if (standing.givenUp()) {
            done.complete(givenUp(rule, last));
            return;
        }
        if (!s.clock().instant().isBefore(deadline)) {
            done.complete(Outcome.deadline(last));
            return;
        }
        if (standing.held()) {
            hold(rule, call, done, last);
            return;
        }
        s.gate().acquire(deadline, standing::givenUp).thenAccept(grant -> step(done, () -> {
            if (grant == BreakerGate.Grant.DEADLINE) {
                done.complete(Outcome.deadline(last));
                return;
            }
            if (grant == BreakerGate.Grant.GIVEN_UP || standing.givenUp()) {
                if (grant == BreakerGate.Grant.GRANTED) {
                    s.breaker().releasePermission();
                }
                done.complete(givenUp(rule, last));
                return;
            }
            if (!s.clock().instant().isBefore(deadline)) {
                // Granted past the deadline: the wait's end was scheduled in real time when it began, and the clock
                // stepped forward since (or the expiry ran late). No call starts then.
                s.breaker().releasePermission();
                done.complete(Outcome.deadline(last));
                return;
            }
            if (standing.held()) { // a rebalance took the partition while this waited for the breaker
                s.breaker().releasePermission();
                hold(rule, call, done, last);
                return;
            }
            Instant started = s.clock().instant();
            long t0 = System.nanoTime();
            boolean probe = s.breaker().getState() == CircuitBreaker.State.HALF_OPEN;
            calls++;
            CompletableFuture<EgoiResult> f;
            try {
                f = call.get();
            } catch (RuntimeException e) {
                f = CompletableFuture.completedFuture(new EgoiResult.ConnectionFailed(e.getClass().getSimpleName()));
            }
            f.whenComplete((r, error) -> step(done, () -> {
                EgoiResult res = error != null ? new EgoiResult.ConnectionFailed(error.getClass().getSimpleName())
                        : r;
                record(res, System.nanoTime() - t0);
                if (!probe || res.delivery() == EgoiResult.Delivery.ANSWERED) {
                    spent++;
                }
                decide(rule, call, res, started, done);
            }));
        })).exceptionally(error -> {
            done.completeExceptionally(error);
            return null;
        });
    }

    private void decide(RetryRule rule, Supplier<CompletableFuture<EgoiResult>> call, EgoiResult r, Instant started,
                        CompletableFuture<Outcome> done) {
        if (rule.retries(r) && spent < maxCalls) {
            Duration delay = backoff(r);
            if (s.clock().instant().plus(delay).isBefore(deadline)) {
                LOG.debug("Retrying {} for requestId={} after {} ({} ms)", rule.operation(), requestId, r.describe(),
                        delay.toMillis());
                s.metrics().retryScheduled(rule.operation(), WorkerMetrics.nameOf(r));
                later(delay, () -> step(done, () -> attempt(rule, call, done, r)), done, r);
                return;
            }
        }
        done.complete(Outcome.of(r, started));
    }

    /** Tells the breaker how the call went. A refusal before any call and a 429 count neither way. */
    private void record(EgoiResult r, long nanos) {
        if (r instanceof EgoiResult.RateLimited || r.delivery() == EgoiResult.Delivery.NO_CALL) {
            s.breaker().releasePermission();
        } else if (r.delivery() == EgoiResult.Delivery.ANSWERED) {
            s.breaker().onSuccess(nanos, TimeUnit.NANOSECONDS);
        } else {
            s.breaker().onError(nanos, TimeUnit.NANOSECONDS, new ProviderFailure(r.describe()));
        }
    }

    /**
     * Waits, on no thread and holding no permission, until the partition is no longer held or the deadline comes;
     * then attempts again (which ends the run if the partition was given up or the deadline passed).
     */
    private void hold(RetryRule rule, Supplier<CompletableFuture<EgoiResult>> call, CompletableFuture<Outcome> done,
                      EgoiResult last) {
        LOG.debug("Holding {} for requestId={}: a rebalance took its partition", rule.operation(), requestId);
        CompletableFuture<Void> wake = standing.unheld();
        long left = Math.max(Duration.between(s.clock().instant(), deadline).toNanos(), HOLD_RECHECK.toNanos());
        try {
            ScheduledFuture<?> timer = s.scheduler().schedule(() -> wake.complete(null), left, TimeUnit.NANOSECONDS);
            wake.whenComplete((v, e) -> timer.cancel(false));
            // the partition's return (or give-up) completes wake on the poll thread: the attempt runs elsewhere
            wake.thenRunAsync(() -> step(done, () -> attempt(rule, call, done, last)), s.scheduler())
                    .exceptionally(stopping -> {
                        done.complete(Outcome.of(last, null));
                        return null;
                    });
        } catch (RejectedExecutionException stopping) {
            done.complete(Outcome.of(last, null));
        }
    }

    private Outcome givenUp(RetryRule rule, EgoiResult last) {
        LOG.debug("Not calling {} for requestId={}: its partition was given up ({} call(s) made)", rule.operation(),
                requestId, calls);
        return Outcome.givenUp(last);
    }

    /**
     * Runs {@code next} after {@code delay}, looking at least every {@link #GIVEN_UP_CHECK} whether the partition was
     * given up meanwhile (then the run ends at once instead of holding its command until the backoff is over).
     */
    private void later(Duration delay, Runnable next, CompletableFuture<Outcome> done, EgoiResult last) {
        long at = System.nanoTime() + delay.toNanos();
        schedule(Math.min(delay.toNanos(), GIVEN_UP_CHECK.toNanos()), () -> step(done, () -> wake(at, next, done,
                last)), done, last);
    }

    private void wake(long atNanos, Runnable next, CompletableFuture<Outcome> done, EgoiResult last) {
        long left = atNanos - System.nanoTime();
        if (left <= 0 || standing.givenUp()) {
            next.run(); // the next attempt looks at givenUp first
            return;
        }
        schedule(Math.min(left, GIVEN_UP_CHECK.toNanos()), () -> step(done, () -> wake(atNanos, next, done, last)),
                done, last);
    }

    private void schedule(long nanos, Runnable task, CompletableFuture<Outcome> done, EgoiResult last) {
        try {
            s.scheduler().schedule(task, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            done.complete(Outcome.of(last, null));
        }
    }

    /** Exponential from the initial backoff by calls made, capped, jittered (50-100 %), at least Retry-After. */
    private Duration backoff(EgoiResult r) {
        WorkerConfig.Retries retries = s.retries();
        long base = retries.initialBackoff().toMillis() << Math.min(Math.max(calls - 1, 0), 20);
        long capped = Math.min(base, retries.maxBackoff().toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        if (r instanceof EgoiResult.RateLimited limited && limited.retryAfter().isPresent()) {
            return Duration.ofMillis(Math.max(jittered, limited.retryAfter().get().toMillis()));
        }
        return Duration.ofMillis(jittered);
    }

    /** Marks a failed call for the circuit breaker; no stack trace (it is expected). */
    static final class ProviderFailure extends RuntimeException {
        ProviderFailure(String message) {
            super(message, null, false, false);
        }
    }
}
