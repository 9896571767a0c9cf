package io.egoiverify.worker.command;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The partitions this instance owns: the progress of each (in flight, done, committed) and flow control — a partition
 * is sought back and paused when the in-flight bound or its offset span is reached (or the registry is down), and
 * resumed once work has drained. Taking a partition reads its committed offset and done-beyond metadata. Used by the
 * poll thread only.
 */
final class OwnedPartitions {
    private final Consumer<byte[], byte[]> consumer;
    private final WorkerConfig.Flow flow;
    private final Map<TopicPartition, PartitionProgress> owned = new HashMap<>();
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    private long generations;

    OwnedPartitions(Consumer<byte[], byte[]> consumer, WorkerConfig.Flow flow) {
        this.consumer = consumer;
        this.flow = flow;
    }

    /** The partition's progress, or null if this instance does not own it (any more). */
    PartitionProgress get(TopicPartition tp) {
        return owned.get(tp);
    }

    /** A copy of the owned partitions. */
    Set<TopicPartition> all() {
        return new HashSet<>(owned.keySet());
    }

    /** True if taking {@code offset} now would exceed the in-flight bound or the partition's offset span. */
    boolean full(PartitionProgress progress, long offset, int inFlight) {
        return inFlight >= flow.maxInFlight() || progress.spanTo(offset) >= flow.maxOffsetSpan();
    }

    /**
     * Starts (again) from the committed offset and metadata; a new generation, so that results of calls started
     * before are dropped.
     */
    void take(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata om = committed.get(tp);
            long offset = om == null ? -1 : om.offset();
            owned.put(tp, new PartitionProgress(++generations, offset,
                    OffsetMetadataCodec.decode(offset, om == null ? null : om.metadata())));
            pausedUntil.remove(tp);
            if (om != null) {
                consumer.seek(tp, om);
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
        consumer.resume(partitions);
    }

    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> {
            owned.remove(tp);
            pausedUntil.remove(tp);
        });
    }

    /** Seeks back to {@code offset} and pauses the partition for at least {@code delayMillis}. */
    void defer(TopicPartition tp, long offset, long delayMillis) {
        consumer.seek(tp, offset);
        consumer.pause(List.of(tp));
        pausedUntil.put(tp, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis));
    }

    void resumeWhenPossible(int inFlight) {
        // hysteresis: resuming at the first free slot would re-fetch a whole batch to dispatch one record
        if (pausedUntil.isEmpty() || inFlight > flow.maxInFlight() * 3 / 4) {
            return;
        }
        long now = System.nanoTime();
        pausedUntil.entrySet().removeIf(e -> {
            PartitionProgress p = owned.get(e.getKey());
            if (p == null) {
                return true;
            }
            if (e.getValue() - now > 0 || p.spanTo(consumer.position(e.getKey())) >= flow.maxOffsetSpan()) {
                return false;
            }
            consumer.resume(List.of(e.getKey()));
            return true;
        });
    }

    int inFlightOn(Collection<TopicPartition> partitions) {
        int n = 0;
        for (TopicPartition tp : partitions) {
            PartitionProgress p = owned.get(tp);
            n += p == null ? 0 : p.inFlight();
        }
        return n;
    }

    /** Per partition with progress since the last commit: the first unfinished offset and the done-beyond metadata. */
    Map<TopicPartition, OffsetAndMetadata> offsetsToCommit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        owned.forEach((tp, p) -> {
            long offset = p.commitOffset();
            if (p.dirty() && offset >= 0) {
                offsets.put(tp, new OffsetAndMetadata(offset, p.metadata(offset)));
            }
        });
        return offsets;
    }

    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, om) -> {
            PartitionProgress p = owned.get(tp);
            if (p != null) {
                p.committed(om.offset());
            }
        });
    }
}
