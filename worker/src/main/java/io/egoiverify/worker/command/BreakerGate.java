package io.egoiverify.worker.command;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where calls wait while the circuit breaker is open, instead of failing. A caller asks for a permission; when the
 * breaker refuses, the caller queues (first come, first served) and is handed a permission as soon as the breaker lets
 * one through: when it half-opens only its few probe permissions go out, the rest keep waiting; once it closes every
 * waiter goes. Waiting spends no attempt; only the caller's own deadline ends it. A tick re-asks the breaker while
 * anyone waits (asking is also what moves resilience4j from open to half-open once its open duration passed), and a
 * state transition wakes the queue at once. Every permission handed out must be recorded or released by its holder.
 */
final class BreakerGate {
    private final CircuitBreaker breaker;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Duration tick;
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private boolean tickScheduled;

    private static final class Waiter {
        final CompletableFuture<Boolean> granted = new CompletableFuture<>();
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
     * Completes with true once a permission is held for the caller, or with false when {@code deadline} comes first
     * (then no permission is held). Never completes exceptionally.
     */
    CompletableFuture<Boolean> acquire(Instant deadline) {
        Waiter w = new Waiter();
        synchronized (this) {
            if (waiters.isEmpty() && breaker.tryAcquirePermission()) {
                return CompletableFuture.completedFuture(true);
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
            w.granted.complete(false);
        }
    }

    /** Hands out permissions, oldest waiter first, while the breaker grants them. */
    private void drain() {
        while (true) {
            Waiter w;
            synchronized (this) {
                w = waiters.peekFirst();
                if (w == null || !breaker.tryAcquirePermission()) {
                    return;
                }
                waiters.pollFirst();
            }
            w.granted.complete(true);
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
