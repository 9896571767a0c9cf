package io.egoiverify.lifecycle.streams;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Wakes a processor when its {@link DeadlineIndex} next has an entry due, instead of on a fixed schedule.
 *
 * <p>Why: Kafka Streams commits a task after every punctuation, and under exactly-once that commit is a transaction
 * carrying the task's offsets even when the punctuator found nothing to do. A fixed schedule made an instance with no
 * traffic run a transaction several times a second for each of its tasks. Here a task wakes only at an instant its
 * index has something filed under.
 *
 * <p>Wake instants are rounded up to a grid of {@code step} counted from the epoch: the tasks of a thread (and of
 * every instance) that have something due wake in the same loop and share one commit, no task wakes more often than
 * once a step, and an entry is handled at most one step after it falls due, as with the fixed schedule it replaces.
 *
 * <p>The alarm arms one punctuation anchored on the grid ({@link ProcessorContext#schedule(Instant, Duration,
 * PunctuationType, Punctuator)}), repeating every step. After each wake it keeps that schedule if the sweep left
 * something for the next step, cancels it if nothing is filed, and re-arms it later otherwise. A sweep that throws
 * fails the task (the processing exception handler answers FAIL): the re-created task arms a new alarm from its
 * restored index. Not thread-safe: one per processor (task), used on its stream thread.
 */
final class DeadlineAlarm {
    /** What a wake does: handles what is due at {@code timestamp}, and says when the index next has work. */
    @FunctionalInterface
    interface Sweep {
        /** @return the instant of the earliest entry left (at or before {@code timestamp}: more is due), or empty */
        OptionalLong run(long timestamp);
    }

    /**
     * How far ahead the alarm is armed at most. Cancelling a Kafka Streams schedule only marks it; it stays queued
     * until its time. Without a horizon, each re-arm for an earlier instant (a short deadline filed while a purge a day
     * away is armed) would leave a schedule queued for as long as the retention. With it they leave within a minute,
     * and a task holding only far deadlines wakes, and commits, once a minute.
     */
    static final Duration HORIZON = Duration.ofMinutes(1);

    private static final long NOT_ARMED = Long.MAX_VALUE;

    private final ProcessorContext<?, ?> context;
    private final long step;
    private final Sweep sweep;
    private Cancellable armed;
    private long armedAt = NOT_ARMED;

    /**
     * @param context the processor's context (its wall clock and scheduler)
     * @param step    the grid wake instants are rounded up to (the setting {@code lifecycle.punctuation-interval})
     * @param sweep   what to do when woken
     */
    DeadlineAlarm(ProcessorContext<?, ?> context, Duration step, Sweep sweep) {
        this.context = Objects.requireNonNull(context, "context");
        this.step = step.toMillis();
        if (this.step < 1) {
            throw new IllegalArgumentException("step must be at least 1 ms");
        }
        this.sweep = Objects.requireNonNull(sweep, "sweep");
    }

    /**
     * Makes sure the processor wakes at the first grid instant at or after {@code instant} (and after now, and at
     * most {@link #HORIZON} ahead), unless the alarm is already armed for that instant or an earlier one.
     */
    void wakeBy(long instant) {
        long at = wakeFor(instant, context.currentSystemTimeMs());
        if (at < armedAt) {
            arm(at);
        }
    }

    /** The instant the alarm next wakes the processor; empty when nothing is filed. */
    OptionalLong armedAt() {
        return armedAt == NOT_ARMED ? OptionalLong.empty() : OptionalLong.of(armedAt);
    }

    private void arm(long at) {
        disarm();
        armed = context.schedule(Instant.ofEpochMilli(at), Duration.ofMillis(step), PunctuationType.WALL_CLOCK_TIME,
                this::fire);
        armedAt = at;
    }

    private void disarm() {
        if (armed != null) {
            armed.cancel();
            armed = null;
        }
        armedAt = NOT_ARMED;
    }

    private void fire(long timestamp) {
        armedAt = onGrid(timestamp + 1); // where the schedule repeats unless changed below (or the sweep throws)
        OptionalLong next = sweep.run(timestamp);
        if (next.isEmpty()) {
            disarm();
        } else {
            long at = wakeFor(next.getAsLong(), timestamp);
            if (at > armedAt) {
                arm(at);
            }
        }
    }

    private long wakeFor(long instant, long now) {
        return onGrid(Math.min(Math.max(instant, now + 1), now + HORIZON.toMillis()));
    }

    private long onGrid(long millis) {
        return -Math.floorDiv(-millis, step) * step; // rounds up
    }
}
