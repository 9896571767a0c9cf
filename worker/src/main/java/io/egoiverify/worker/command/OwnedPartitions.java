package io.egoiverify.worker.command;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The partitions this instance owns: the progress of each (in flight, done, committed) and flow control — a partition
 * is sought back and paused when the in-flight bound or its offset span is reached (or the registry is down), and
 * resumed once work has drained. Taking a partition reads its committed offset and done-beyond metadata.
 *
 * <p>A partition revoked or lost in a rebalance is <em>suspended</em>, not forgotten: if it comes back to this
 * instance and nobody committed it meanwhile (a broker outage expires the group session and gives the same partitions
 * back), its calls in flight and results not yet committed stay valid and are used, instead of making the same E-goi
 * calls again. A revoked one waits until the rebalance ends; a lost one is <em>held</em> up to a bound
 * ({@link #suspendLost}), because a broker-run group (KIP-848) first answers the rejoining member with an empty
 * assignment and hands its partitions back a heartbeat later. Otherwise its progress is retired: its calls still count
 * as in flight until they end, and their results are dropped. Used by the poll thread only.
 */
final class OwnedPartitions {
    /** What taking partitions did: which continued their suspended progress, and which progress was retired. */
    record Taken(Set<TopicPartition> resumed, List<PartitionProgress> retired) {
    }

    private final Consumer<byte[], byte[]> consumer;
    private final WorkerConfig.Flow flow;
    private final Function<Set<TopicPartition>, Map<TopicPartition, OffsetAndMetadata>> committed;
    private final Map<TopicPartition, PartitionProgress> owned = new HashMap<>();
    private final Map<TopicPartition, PartitionProgress> suspended = new HashMap<>();
    /** Lost partitions among the suspended: kept until then (System.nanoTime) unless handed back before. */
    private final Map<TopicPartition, Long> heldUntil = new HashMap<>();
    private final Set<PartitionProgress> retired = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    /** The last total seen by the poll thread, for readers on other threads (metrics). */
    private volatile int inFlightSeen;

    /**
     * @param committed reads the group's committed offsets (waiting for the broker)
     */
    OwnedPartitions(Consumer<byte[], byte[]> consumer, WorkerConfig.Flow flow,
                    Function<Set<TopicPartition>, Map<TopicPartition, OffsetAndMetadata>> committed) {
        this.consumer = consumer;
        this.flow = flow;
        this.committed = committed;
    }

    /** The partition's progress, or null if this instance does not own it (any more). */
    PartitionProgress get(TopicPartition tp) {
        return owned.get(tp);
    }

    /** True if {@code progress} is the suspended progress of {@code tp}. */
    boolean isSuspended(TopicPartition tp, PartitionProgress progress) {
        return suspended.get(tp) == progress;
    }

    /** A copy of the owned partitions. */
    Set<TopicPartition> all() {
        return new HashSet<>(owned.keySet());
    }

    /** Commands taken and not yet answered: owned, suspended and retired partitions alike. */
    int inFlight() {
        int n = 0;
        for (PartitionProgress p : owned.values()) {
            n += p.inFlight();
        }
        for (PartitionProgress p : suspended.values()) {
            n += p.inFlight();
        }
        for (PartitionProgress p : retired) {
            n += p.inFlight();
        }
        inFlightSeen = n;
        return n;
    }

    /** {@link #inFlight()} as last computed by the poll thread; any thread. */
    int inFlightSeen() {
        return inFlightSeen;
    }

    /** True if taking {@code offset} now would exceed the in-flight bound or the partition's offset span. */
    boolean full(PartitionProgress progress, long offset) {
        return inFlight() >= flow.maxInFlight() || progress.spanTo(offset) >= flow.maxOffsetSpan();
    }

    /**
     * Takes {@code partitions}: a suspended one whose committed position is unchanged continues where it was; any
     * other starts from the committed offset and metadata.
     */
    Taken take(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> positions = committed.apply(new HashSet<>(partitions));
        Set<TopicPartition> resumed = new HashSet<>();
        List<PartitionProgress> retiredNow = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata om = positions.get(tp);
            PartitionProgress previous = suspended.remove(tp);
            heldUntil.remove(tp);
            PartitionProgress replaced = owned.remove(tp);
            if (replaced != null) {
                retiredNow.add(replaced);
            }
            pausedUntil.remove(tp);
            if (previous != null && previous.matchesCommitted(om)) {
                owned.put(tp, previous);
                previous.release();
                resumed.add(tp);
                seek(tp, previous.next(), null);
                continue;
            }
            if (previous != null) {
                retiredNow.add(previous);
            }
            PartitionProgress fresh = new PartitionProgress(om);
            owned.put(tp, fresh);
            seek(tp, fresh.next(), om);
        }
        retiredNow.forEach(this::retire);
        consumer.resume(partitions);
        return new Taken(resumed, retiredNow);
    }

    private void seek(TopicPartition tp, long offset, OffsetAndMetadata om) {
        if (om != null) {
            consumer.seek(tp, om);
        } else if (offset >= 0) {
            consumer.seek(tp, offset);
        } else {
            consumer.seekToBeginning(List.of(tp));
        }
    }

    /** Revoked: kept aside until {@link #take} brings them back or {@link #retireSuspended} ends them. */
    void suspend(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            heldUntil.remove(tp);
            PartitionProgress p = owned.remove(tp);
            pausedUntil.remove(tp);
            if (p != null) {
                p.hold();
                PartitionProgress older = suspended.put(tp, p);
                if (older != null) {
                    retire(older);
                }
            }
        }
    }

    /**
     * Lost: suspended, and held until {@code untilNanos} whatever the next assignments say, since the group may hand
     * them back only after an assignment without them; {@link #retireExpiredHolds} ends them then.
     */
    void suspendLost(Collection<TopicPartition> partitions, long untilNanos) {
        suspend(partitions);
        for (TopicPartition tp : partitions) {
            if (suspended.containsKey(tp)) {
                heldUntil.put(tp, untilNanos);
            }
        }
    }

    /**
     * At the end of a rebalance: suspended partitions not assigned to this instance again are retired, except lost
     * ones still within their hold.
     */
    List<PartitionProgress> retireSuspended(Set<TopicPartition> assignment) {
        List<PartitionProgress> gone = new ArrayList<>();
        for (Iterator<Map.Entry<TopicPartition, PartitionProgress>> it = suspended.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<TopicPartition, PartitionProgress> e = it.next();
            if (!assignment.contains(e.getKey()) && !heldUntil.containsKey(e.getKey())) {
                it.remove();
                retire(e.getValue());
                gone.add(e.getValue());
            }
        }
        return gone;
    }

    /** Lost partitions not handed back by {@code nowNanos} (their hold ran out) are retired. */
    List<PartitionProgress> retireExpiredHolds(long nowNanos) {
        List<PartitionProgress> gone = new ArrayList<>();
        for (Iterator<Map.Entry<TopicPartition, Long>> it = heldUntil.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, Long> e = it.next();
            if (nowNanos - e.getValue() >= 0) {
                it.remove();
                PartitionProgress p = suspended.remove(e.getKey());
                if (p != null) {
                    retire(p);
                    gone.add(p);
                }
            }
        }
        return gone;
    }

    /** True while some lost partition is held. */
    boolean holdsLost() {
        return !heldUntil.isEmpty();
    }

    private void retire(PartitionProgress p) {
        p.giveUp(); // its commands waiting for the breaker or a retry end without calling
        if (p.inFlight() > 0) {
            retired.add(p);
        }
    }

    /** A call whose result is dropped ended (its partition's progress was retired). */
    void abandoned(PartitionProgress progress, long offset) {
        progress.abandoned(offset);
        if (progress.inFlight() == 0) {
            retired.remove(progress);
        }
    }

    /** Seeks back to {@code offset} and pauses the partition for at least {@code delayMillis}. */
    void defer(TopicPartition tp, long offset, long delayMillis) {
        consumer.seek(tp, offset);
        consumer.pause(List.of(tp));
        pausedUntil.put(tp, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis));
        PartitionProgress p = owned.get(tp);
        if (p != null) {
            p.rewound(offset);
        }
    }

    /** Once per poll loop: resumes paused partitions that may take work again (and refreshes the in-flight total). */
    void resumeWhenPossible() {
        int inFlight = inFlight();
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
                p.committed(om);
            }
        });
    }
}
