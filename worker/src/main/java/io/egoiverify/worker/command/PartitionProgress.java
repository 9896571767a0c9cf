package io.egoiverify.worker.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;

/**
 * Which commands of one partition are in flight or done since the last commit. The commit offset is the first
 * unfinished offset; the offsets done beyond it travel as metadata. Offsets that a previous owner reported done (read
 * from the committed metadata) are skipped when fetched again. Used by the poll thread only.
 */
final class PartitionProgress {
    final long generation;
    private final TreeMap<Long, Boolean> tracked = new TreeMap<>();
    private final NavigableSet<Long> doneBefore;
    private long committed;
    private boolean dirty;

    PartitionProgress(long generation, long committed, NavigableSet<Long> doneBefore) {
        this.generation = generation;
        this.committed = committed;
        this.doneBefore = doneBefore;
    }

    /** True if a previous owner already committed this offset's result; it is recorded as done. */
    boolean skipIfDoneBefore(long offset) {
        if (doneBefore.remove(offset)) {
            tracked.put(offset, true);
            dirty = true;
            return true;
        }
        return false;
    }

    void started(long offset) {
        tracked.put(offset, false);
    }

    void done(long offset) {
        tracked.put(offset, true);
        dirty = true;
    }

    boolean dirty() {
        return dirty;
    }

    int inFlight() {
        int n = 0;
        for (boolean done : tracked.values()) {
            if (!done) {
                n++;
            }
        }
        return n;
    }

    /** Offsets between the oldest unfinished command and {@code offset}: bounded so the metadata fits. */
    long spanTo(long offset) {
        for (Map.Entry<Long, Boolean> e : tracked.entrySet()) {
            if (!e.getValue()) {
                return offset - e.getKey();
            }
        }
        return 0;
    }

    long commitOffset() {
        for (Map.Entry<Long, Boolean> e : tracked.entrySet()) {
            if (!e.getValue()) {
                return e.getKey();
            }
        }
        return tracked.isEmpty() ? committed : Math.max(committed, tracked.lastKey() + 1);
    }

    String metadata(long commitOffset) {
        List<Long> beyond = new ArrayList<>();
        tracked.tailMap(commitOffset, false).forEach((offset, done) -> {
            if (done) {
                beyond.add(offset);
            }
        });
        beyond.addAll(doneBefore.tailSet(commitOffset, false));
        return OffsetMetadataCodec.encode(commitOffset, beyond);
    }

    void committed(long commitOffset) {
        committed = commitOffset;
        tracked.headMap(commitOffset, false).clear();
        doneBefore.headSet(commitOffset, false).clear();
        dirty = false;
    }
}
