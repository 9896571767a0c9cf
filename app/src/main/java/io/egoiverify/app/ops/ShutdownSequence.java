package io.egoiverify.app.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops components in a fixed order within a total bound: first what takes work in (readiness off, the worker stops
 * polling and finishes in-flight calls), then Kafka Streams, then the servers and clients they used. A component that
 * does not stop in its share is abandoned with a warning so that SIGTERM always ends the process in time.
 */
public final class ShutdownSequence {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSequence.class);
    private final List<Step> steps = new ArrayList<>();
    private final Duration total;
    private final AtomicBoolean ran = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    private record Step(String name, AutoCloseable action, double share) {
    }

    public ShutdownSequence(Duration total) {
        this.total = Objects.requireNonNull(total, "total");
    }

    /** Adds a step; {@code share} is its fraction of the total bound. Steps run in the order they were added. */
    public synchronized ShutdownSequence then(String name, double share, AutoCloseable action) {
        steps.add(new Step(name, action, share));
        return this;
    }

    /** Runs every step once; later calls wait for the first to finish. */
    public void run() {
        if (!ran.compareAndSet(false, true)) {
            awaitDone();
            return;
        }
        List<Step> ordered;
        synchronized (this) {
            ordered = List.copyOf(steps);
        }
        long started = System.nanoTime();
        try {
            for (Step step : ordered) {
                long budget = Math.max(200, (long) (total.toMillis() * step.share()));
                CompletableFuture<Void> f = new CompletableFuture<>();
                // A thread of its own per step: a step that hangs is abandoned, never blocks the next one.
                Thread t = new Thread(() -> {
                    try {
                        step.action().close();
                    } catch (Exception e) {
                        LOG.warn("shutdown step {} failed: {}", step.name(), e.toString());
                    } finally {
                        f.complete(null);
                    }
                }, "stop-" + step.name().replace(' ', '-'));
                t.setDaemon(true);
                t.start();
                try {
                    f.get(budget, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    LOG.warn("shutdown step {} did not finish within {} ms; continuing", step.name(), budget);
                } catch (Exception e) {
                    LOG.warn("shutdown step {} failed: {}", step.name(), e.toString());
                }
            }
            LOG.info("stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
        } finally {
            done.countDown();
        }
    }

    /** Waits until {@link #run()} has finished. */
    public void awaitDone() {
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
