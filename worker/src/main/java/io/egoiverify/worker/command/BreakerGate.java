package io.egoiverify.worker.command;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Where calls wait while the circuit breaker is open, instead of failing. A caller asks for a permission; when the
 * breaker refuses, the caller queues (first come, first served) and is handed a permission as soon as the breaker lets
 * one through: when it half-opens only its few probe permissions go out, the rest keep waiting; once it closes every
 * waiter goes. Waiting spends no attempt; only the caller's own deadline ends it. A tick re-asks the breaker while
 * anyone waits (asking is also what moves resilience4j from open to half-open once its open duration passed), and a
 * state transition wakes the queue at once. Every permission handed out must be recorded or released by its holder.
 *
 * <p>A caller whose command's partition was given up (handed over to another instance after the revoke grace) is
 * never granted a permission: its result would be dropped while the new owner makes the same call (a second SMS). It
 * leaves the queue with {@link Grant#GIVEN_UP} at the next tick or state transition, holding nothing.
 */
final class BreakerGate {
    private final CircuitBreaker breaker;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Duration tick;
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private boolean tickScheduled;

    /** How a wait ended. */
    enum Grant {
        /** A permission is held for the caller. */
        GRANTED,
        /** The caller's deadline came first; nothing is held. */
        DEADLINE,
        /** The caller's partition was given up; nothing is held. */
        GIVEN_UP
    }

    private static final class Waiter {
        final CompletableFuture<Grant> granted = new CompletableFuture<>();
        final BooleanSupplier givenUp;

        Waiter(BooleanSupplier givenUp) {
            this.givenUp = givenUp;
        }
    }

    BreakerGate(CircuitBreaker breaker, ScheduledExecutorService scheduler, Clock clock, Duration tick) {
        this.breaker = breaker;
        this.scheduler = scheduler;
        this.clock = clock;
        this.tick = tick;
        breaker.getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getToState() != CircuitBreaker.State.OPEN) {
                run(this::drain);
            }
        });
    }

    /**
     * Completes with {@link Grant#GRANTED} once a permission is held for the caller, {@link Grant#DEADLINE} when
     * {@code deadline} comes first, {@link Grant#GIVEN_UP} as soon as {@code givenUp} is seen true (checked before
     * every grant). Never completes exceptionally.
     */
    CompletableFuture<Grant> acquire(Instant deadline, BooleanSupplier givenUp) {
        if (givenUp.getAsBoolean()) {
            return CompletableFuture.completedFuture(Grant.GIVEN_UP);
        }
        Waiter w = new Waiter(givenUp);
        synchronized (this) {
            if (waiters.isEmpty() && breaker.tryAcquirePermission()) {
                return CompletableFuture.completedFuture(Grant.GRANTED);
            }
            waiters.addLast(w);
            armTick();
        }
        long untilDeadline = Duration.between(clock.instant(), deadline).toMillis();
        try {
            scheduler.schedule(() -> expire(w), Math.max(0, untilDeadline), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            expire(w);
        }
        return w.granted;
    }

    /** How many callers wait right now. */
    synchronized int waiting() {
        return waiters.size();
    }

    private void expire(Waiter w) {
        boolean removed;
        synchronized (this) {
            removed = waiters.remove(w);
        }
        if (removed) {
            w.granted.complete(Grant.DEADLINE);
        }
    }

    /**
     * Lets the waiters whose partition was given up go (holding nothing), then hands out permissions, oldest waiter
     * first, while the breaker grants them.
     */
    private void drain() {
        Deque<Waiter> gone = new ArrayDeque<>();
        synchronized (this) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.givenUp.getAsBoolean()) {
                    it.remove();
                    gone.add(w);
                }
            }
        }
        gone.forEach(w -> w.granted.complete(Grant.GIVEN_UP));
        while (true) {
            Waiter w;
            Grant grant;
            synchronized (this) {
                w = waiters.peekFirst();
                if (w == null) {
                    return;
                }
                if (w.givenUp.getAsBoolean()) {
                    grant = Grant.GIVEN_UP;
                } else if (breaker.tryAcquirePermission()) {
                    grant = Grant.GRANTED;
                } else {
                    return;
                }
                waiters.pollFirst();
            }
            w.granted.complete(grant);
        }
    }

    private void armTick() {
        if (tickScheduled) {
            return;
        }
        tickScheduled = true;
        try {
            scheduler.schedule(this::onTick, tick.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            tickScheduled = false;
        }
    }

    private void onTick() {
        synchronized (this) {
            tickScheduled = false;
        }
        drain();
        synchronized (this) {
            if (!waiters.isEmpty()) {
                armTick();
            }
        }
    }

    private void run(Runnable r) {
        try {
            scheduler.execute(r);
        } catch (RejectedExecutionException stopping) {
            // shutting down: waiters end at their deadlines or with the scheduler
        }
    }
}
