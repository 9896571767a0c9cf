package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.ops.ShutdownSequence;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A long-running command's life: components register how to stop, in order; SIGTERM (the JVM shutdown hook) or
 * {@link #stop()} runs the sequence once, within the configured bound, and {@link #await()} returns after it.
 */
final class Running {
    private final ShutdownSequence sequence;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Thread hook;
    private volatile String failure;

    Running(AppContext ctx, Duration bound) {
        this.sequence = new ShutdownSequence(bound);
        if (ctx.shutdownHook()) {
            hook = new Thread(() -> {
                stopRequested.countDown();
                sequence.run();
            }, "shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        } else {
            hook = null;
        }
        ctx.stopSignal().thenRun(stopRequested::countDown);
    }

    /** Components are stopped in the order they are added here. */
    Running onStop(String name, double share, AutoCloseable action) {
        sequence.then(name, share, action);
        return this;
    }

    ShutdownSequence sequence() {
        return sequence;
    }

    void stop() {
        stopRequested.countDown();
    }

    /** Stops as {@link #stop()} does, remembering why: {@link #failure()} then says it. */
    void fail(String why) {
        failure = why;
        stopRequested.countDown();
    }

    /** Why the process stopped on its own, or null when it was asked to stop. */
    String failure() {
        return failure;
    }

    /** Blocks until a stop is requested, then stops everything (at most once). */
    void await() throws InterruptedException {
        stopRequested.await();
        sequence.run();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs the same, idempotent sequence
            }
        }
    }

    /** Stops now without waiting for a signal (interactive quit, end of a demo). */
    void stopNow() {
        stopRequested.countDown();
        sequence.run();
    }
}
