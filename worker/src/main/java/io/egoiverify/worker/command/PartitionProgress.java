package io.egoiverify.worker.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * Which commands of one partition are in flight or done since the last commit: the worker's only count of work in
 * flight (the instance's total is the sum over its partitions). The commit offset is the first unfinished offset; the
 * offsets done beyond it travel as metadata. Offsets that a previous owner reported done (read from the committed
 * metadata) are skipped when fetched again. Used by the poll thread only.
 */
final class PartitionProgress implements CommandHandler.Standing {
    /** offset → done; an offset is in flight from {@link #started} until {@link #done} or {@link #abandoned}. */
    private final TreeMap<Long, Boolean> tracked = new TreeMap<>();
    private final NavigableSet<Long> doneBefore;
    private long committed;
    private String committedMetadata;
    /** The next offset to read: where the partition continues if it comes back after a rebalance. */
    private long next;
    private int inFlight;
    private boolean dirty;
    /** Set once, on the poll thread, when this progress is retired; read by the handler's threads. */
    private volatile boolean givenUp;
    /** Completed unless a rebalance holds the partition; replaced on the poll thread, read by the handler's threads. */
    private volatile CompletableFuture<Void> unheld = CompletableFuture.completedFuture(null);

    /** Starts from what the group committed ({@code null}: nothing yet). */
    PartitionProgress(OffsetAndMetadata committed) {
        this.committed = committed == null ? -1 : committed.offset();
        this.committedMetadata = committed == null ? "" : Objects.requireNonNullElse(committed.metadata(), "");
        this.doneBefore = OffsetMetadataCodec.decode(this.committed, committedMetadata);
        this.next = this.committed;
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

    /** The record at {@code offset} was handled (started, skipped or dead-lettered): the next read is after it. */
    void passed(long offset) {
        next = offset + 1;
    }

    /** The partition was sought back to {@code offset}: it is read again from there. */
    void rewound(long offset) {
        next = offset;
    }

    /** Where to continue reading; negative if nothing was read or committed yet. */
    long next() {
        return next;
    }

    void started(long offset) {
        if (!Boolean.FALSE.equals(tracked.put(offset, false))) {
            inFlight++;
        }
    }

    void done(long offset) {
        if (Boolean.FALSE.equals(tracked.put(offset, true))) {
            inFlight--;
        }
        dirty = true;
    }

    /** A call of a partition gone elsewhere ended: its result is not wanted here. */
    void abandoned(long offset) {
        if (Boolean.FALSE.equals(tracked.remove(offset))) {
            inFlight--;
        }
    }

    /**
     * This progress was retired: its partition went elsewhere (or came back under a new progress), so its calls'
     * results will be dropped and none of its commands should call the provider any more.
     */
    void giveUp() {
        givenUp = true;
        unheld.complete(null); // its held commands wake and end without calling
    }

    /** True once {@link #giveUp} was called; any thread. */
    @Override
    public boolean givenUp() {
        return givenUp;
    }

    /** A rebalance took the partition away; until it comes back or is given up its commands start no call. */
    void hold() {
        if (unheld.isDone() && !givenUp) {
            unheld = new CompletableFuture<>();
        }
    }

    /** The partition came back unchanged: its held commands go on. */
    void release() {
        unheld.complete(null);
    }

    @Override
    public boolean held() {
        return !unheld.isDone();
    }

    @Override
    public CompletableFuture<Void> unheld() {
        return unheld.copy();
    }

    boolean dirty() {
        return dirty;
    }

    int inFlight() {
        return inFlight;
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

    /**
     * The first offset not done. Beyond everything read, the offsets a previous owner marked done are done although
     * not read yet: the commit offset steps over them, since the metadata can only name offsets after it (one left at
     * the commit offset would be forgotten, and the next owner would run its command again).
     */
    long commitOffset() {
        for (Map.Entry<Long, Boolean> e : tracked.entrySet()) {
            if (!e.getValue()) {
                return e.getKey();
            }
        }
        long offset = tracked.isEmpty() ? committed : Math.max(committed, tracked.lastKey() + 1);
        while (doneBefore.contains(offset)) {
            offset++;
        }
        return offset;
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

    void committed(OffsetAndMetadata om) {
        committed = om.offset();
        committedMetadata = Objects.requireNonNullElse(om.metadata(), "");
        tracked.headMap(committed, false).clear();
        // only markers already read: one the commit offset stepped over is still skipped when this owner reads it
        doneBefore.headSet(Math.min(committed, next), false).clear();
        dirty = false;
    }

    /** True if the group's committed position is still the one this progress last committed or started from. */
    boolean matchesCommitted(OffsetAndMetadata om) {
        if (om == null) {
            return committed < 0;
        }
        return om.offset() == committed && committedMetadata.equals(Objects.requireNonNullElse(om.metadata(), ""));
    }
}
