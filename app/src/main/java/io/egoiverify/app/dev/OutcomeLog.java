package io.egoiverify.app.dev;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Every outcome seen so far, with waiting by condition (the demo's checks and tests wait on it). Thread-safe. */
public final class OutcomeLog implements Consumer<Outcome> {
    private final List<Outcome> all = new ArrayList<>();
    private final List<Consumer<Outcome>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void accept(Outcome outcome) {
        synchronized (this) {
            all.add(outcome);
            notifyAll();
        }
        listeners.forEach(l -> l.accept(outcome));
    }

    public void addListener(Consumer<Outcome> listener) {
        listeners.add(listener);
    }

    public synchronized List<Outcome> of(String requestId) {
        return all.stream().filter(o -> o.requestId().equals(requestId)).toList();
    }

    /** Waits for the first outcome of {@code requestId} matching {@code condition}; empty on timeout. */
    public synchronized Optional<Outcome> await(String requestId, Predicate<Outcome> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Outcome> hit = all.stream().filter(o -> o.requestId().equals(requestId)).filter(condition)
                    .findFirst();
            long left = deadline - System.nanoTime();
            if (hit.isPresent() || left <= 0) {
                return hit;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Waits until {@code requestId} has at least {@code count} outcomes; returns what it has at the end. */
    public synchronized List<Outcome> awaitCount(String requestId, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (of(requestId).size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return new ArrayList<>(of(requestId));
    }
}
