package io.egoiverify.lifecycle.streams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When each key of a task's store next needs the clock: one entry (wake instant ‖ key, see {@link DeadlineKeys}) per
 * key that has a wake instant, in a store of its own. A sweep reads what is due with a single range scan starting at
 * a per-task low-watermark, never a scan of the whole store, and at most {@code maxDue} entries at a time. Used by the
 * lifecycle (deadlines, expiries, purges) and by the number guard (entries leaving their windows).
 *
 * <p>Not thread-safe: one instance per processor (task), used on its stream thread.
 */
final class DeadlineIndex {
    /** One due entry: the key it wakes and the instant it was filed under. */
    record Entry(String id, long wakeAt, Bytes key) {
        /** Whether the entry still stands for {@code current}, the key's wake instant now (null: none). */
        boolean matches(Instant current) {
            return current != null && current.toEpochMilli() == wakeAt;
        }
    }

    private final KeyValueStore<Bytes, byte[]> store;
    private final int maxDue;
    private final LongConsumer filed;
    /** No entry of this task is due before this instant (lowered whenever an earlier entry is filed). */
    private long lowWatermark;

    /**
     * @param store  the index store of this task (its content survives restarts through the changelog)
     * @param maxDue cap on entries returned by one {@link #due} call
     * @param filed  told the wake instant of every entry filed (the processor's {@link DeadlineAlarm})
     */
    DeadlineIndex(KeyValueStore<Bytes, byte[]> store, int maxDue, LongConsumer filed) {
        this.store = Objects.requireNonNull(store, "store");
        if (maxDue < 1) {
            throw new IllegalArgumentException("maxDue must be positive");
        }
        this.maxDue = maxDue;
        this.filed = Objects.requireNonNull(filed, "filed");
        this.lowWatermark = 0L; // the first sweep starts at the first entry, wherever it is
    }

    /**
     * Refiles {@code id} from {@code before} to {@code after} (either may be null: not filed / no longer filed).
     * Nothing is written when both are equal.
     */
    void move(String id, Instant before, Instant after) {
        if (Objects.equals(before, after)) {
            return;
        }
        if (before != null) {
            store.delete(DeadlineKeys.key(before, id));
        }
        if (after != null) {
            store.put(DeadlineKeys.key(after, id), DeadlineKeys.NO_VALUE);
            lowWatermark = Math.min(lowWatermark, after.toEpochMilli());
            filed.accept(after.toEpochMilli());
        }
    }

    /**
     * The wake instant of the earliest entry the next {@link #due} call would scan (one at or before the last sweep's
     * timestamp means more is due than the cap let through); empty when nothing is filed.
     */
    OptionalLong next() {
        try (KeyValueIterator<Bytes, byte[]> it = store.range(DeadlineKeys.from(lowWatermark),
                DeadlineKeys.through(Long.MAX_VALUE))) {
            return it.hasNext() ? OptionalLong.of(DeadlineKeys.deadline(it.next().key)) : OptionalLong.empty();
        }
    }

    /**
     * The entries due at {@code timestamp} (wake instant at or before it), oldest first, at most {@code maxDue}. The
     * watermark moves past them first, so that an entry the caller files while handling them (earlier than the
     * watermark) lowers it again; entries due but beyond the cap keep their place for the next call. Processors call
     * {@link #sweep}, which moves it back when handling stops short.
     */
    List<Entry> due(long timestamp) {
        List<Entry> due = new ArrayList<>();
        // Collect first, then let the caller change the stores: no iterator is open while entries move.
        try (KeyValueIterator<Bytes, byte[]> it = store.range(DeadlineKeys.from(lowWatermark),
                DeadlineKeys.through(timestamp))) {
            while (it.hasNext() && due.size() < maxDue) {
                Bytes key = it.next().key;
                due.add(new Entry(DeadlineKeys.requestId(key), DeadlineKeys.deadline(key), key));
            }
        }
        long next = due.size() < maxDue ? timestamp + 1 : due.get(due.size() - 1).wakeAt();
        lowWatermark = Math.max(lowWatermark, next);
        return due;
    }

    /**
     * Hands what is due at {@code timestamp} ({@link #due}) to {@code handle}, oldest first; returns how many entries
     * were due. An entry is behind the watermark only once handled: when {@code handle} throws, the watermark goes
     * back to the entry it threw on, so that it and every entry after it are due again at the next sweep. (Moved past
     * the whole batch up front, as {@link #due} does, they would be stranded until the task is re-created, never
     * firing — should the exception not end the task.)
     */
    int sweep(long timestamp, Consumer<Entry> handle) {
        List<Entry> due = due(timestamp);
        int handled = 0;
        try {
            for (Entry entry : due) {
                handle.accept(entry);
                handled++;
            }
        } finally {
            if (handled < due.size()) {
                lowWatermark = Math.min(lowWatermark, due.get(handled).wakeAt());
            }
        }
        return due.size();
    }

    /** Drops an entry that no longer matches its key's state (keeps the index self-healing). */
    void discard(Entry entry) {
        store.delete(entry.key());
    }

    /** For tests: the current watermark. */
    long lowWatermark() {
        return lowWatermark;
    }
}
