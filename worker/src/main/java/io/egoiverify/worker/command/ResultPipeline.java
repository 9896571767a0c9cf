package io.egoiverify.worker.command;

import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.RegistryUnavailableException;
import io.egoiverify.schemas.topics.DeadLetterFit;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From finished calls to committed results: completions arrive from any thread; on the poll thread each result is
 * serialized (held, in order, while the schema registry is unreachable: its call is not made again), put into the
 * open {@link ResultTransaction} with its command marked done, and committed with the offsets when due. Dead letters
 * take the same way. Results of partitions suspended by a rebalance are parked until the partition comes back or goes.
 */
final class ResultPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(ResultPipeline.class);
    /** Commit attempts of a forced commit (revoke, shutdown): each failed one replays its results into the next. */
    private static final int FORCED_ATTEMPTS = 3;
    /**
     * How long a lost partition's calls and results are kept for the group to hand it back. A broker-run group
     * (KIP-848) computes a new target assignment at most every {@code group.consumer.assignment.interval.ms} (1 s by
     * default, 15 s at most) and the member hears of it at its next heartbeat (15 s apart at most): meanwhile the
     * rejoined member is assigned nothing.
     */
    static final Duration LOST_HOLD = Duration.ofSeconds(30);

    /** A finished call: the command at {@code offset} of {@code tp}, taken under {@code progress}. */
    record Completion(TopicPartition tp, PartitionProgress progress, long offset, byte[] key,
                      VerificationCommandResult result) {
    }

    private final Topics topics;
    private final Serializer<VerificationCommandResult> results;
    private final OwnedPartitions owned;
    private final ResultTransaction transaction;
    private final RegistryBackoff registryBackoff;
    private final WorkerMetrics metrics;
    private final Supplier<ConsumerGroupMetadata> group;
    /** Dead letters larger than this are cut to fit their topic ({@link DeadLetterFit}). */
    private final int deadLetterMaxBytes;
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    /** Completed calls whose results could not be serialized (registry down), oldest first; still in flight. */
    private final ArrayDeque<Completion> held = new ArrayDeque<>();
    /** Completed calls of suspended partitions; still in flight. */
    private final Map<PartitionProgress, List<Completion>> parked = new IdentityHashMap<>();
    private long retryHeldAtNanos;

    ResultPipeline(Topics topics, OwnedPartitions owned, ResultTransaction transaction, RegistryBackoff registryBackoff,
                   WorkerMetrics metrics, Supplier<ConsumerGroupMetadata> group, int deadLetterMaxBytes) {
        this.topics = topics;
        this.results = topics.results.valueSerde().serializer();
        this.owned = owned;
        this.transaction = transaction;
        this.registryBackoff = registryBackoff;
        this.metrics = metrics;
        this.group = group;
        this.deadLetterMaxBytes = deadLetterMaxBytes;
    }

    /** A call finished; any thread. */
    void completed(Completion c) {
        completions.add(c);
    }

    /**
     * An unreadable command: its raw record goes to the dead-letter topic, in the open transaction, cut to fit the
     * topic if it must be.
     */
    void deadLetter(TopicPartition tp, PartitionProgress progress, ConsumerRecord<byte[], byte[]> rec,
                    RuntimeException e) {
        LOG.warn("Unreadable command at {}-{}@{} sent to {}: {}", rec.topic(), rec.partition(), rec.offset(),
                topics.names.deadLetter(), e.getClass().getSimpleName());
        transaction.send(tp, progress, DeadLetterFit.fit(DeadLetters.of(topics.names.deadLetter(), rec,
                e.getClass().getName(), e.getMessage()), deadLetterMaxBytes));
        metrics.deadLettered(e.getClass().getSimpleName());
        progress.started(rec.offset());
        progress.done(rec.offset());
    }

    /** Takes finished calls; waits up to {@code waitNanos} for the first one. */
    void drain(long waitNanos) {
        Completion c;
        try {
            c = waitNanos > 0 ? completions.poll(waitNanos, TimeUnit.NANOSECONDS) : completions.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        while (c != null) {
            complete(c);
            c = completions.poll();
        }
        retryHeld();
    }

    /** Takes finished calls and commits when due, until {@code partitions} have nothing in flight or time is up. */
    void drainUntil(Collection<TopicPartition> partitions, long budgetNanos) {
        long deadline = System.nanoTime() + Math.max(0, budgetNanos);
        while (owned.inFlightOn(partitions) > 0 && deadline - System.nanoTime() > 0) {
            drain(Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(50)));
            maybeCommit(false);
        }
    }

    private void complete(Completion c) {
        // while the registry is down, later results queue behind the held ones without calling it
        if (!held.isEmpty() || !tryComplete(c)) {
            held.addLast(c);
        }
    }

    /** Retries the held results once their backoff has passed, oldest first, until one fails again. */
    private void retryHeld() {
        while (!held.isEmpty() && System.nanoTime() - retryHeldAtNanos >= 0) {
            if (!tryComplete(held.peekFirst())) {
                return;
            }
            held.pollFirst();
        }
    }

    /**
     * Puts the result into the transaction and marks its command done; false if the registry cannot be reached to
     * serialize it: the caller keeps the result (the call is not made again) and the command stays in flight, so the
     * partition's committed position does not pass it.
     */
    private boolean tryComplete(Completion c) {
        if (owned.get(c.tp()) != c.progress()) {
            if (owned.isSuspended(c.tp(), c.progress())) {
                parked.computeIfAbsent(c.progress(), p -> new ArrayList<>()).add(c);
            } else {
                LOG.debug("Dropping result for {}@{}: partition no longer owned", c.tp(), c.offset());
                owned.abandoned(c.progress(), c.offset());
            }
            return true;
        }
        byte[] value;
        try {
            value = results.serialize(topics.names.results(), c.result());
        } catch (RegistryUnavailableException e) {
            long delay = registryBackoff.failed();
            retryHeldAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
            LOG.warn("Schema registry unavailable writing the result for {}-{}@{} ({}); kept with {} other(s), "
                    + "retrying in {} ms", c.tp().topic(), c.tp().partition(), c.offset(), e.getMessage(),
                    held.size(), delay);
            return false;
        }
        registryBackoff.succeeded();
        transaction.send(c.tp(), c.progress(), new ProducerRecord<>(topics.names.results(), c.key(), value));
        c.progress().done(c.offset());
        metrics.answered(c.result().getStatus(), c.result().getProviderCalls() > 0);
        return true;
    }

    /** Commits now, trying again (with the aborted results replayed) if Kafka refuses; true once committed. */
    boolean commitNow() {
        for (int attempt = 0; attempt < FORCED_ATTEMPTS; attempt++) {
            if (maybeCommit(true)) {
                return true;
            }
        }
        return false;
    }

    /** Commits when due; false if the commit failed (its results are replayed into the next transaction). */
    boolean maybeCommit(boolean force) {
        if (!transaction.due(force)) {
            return true;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = owned.offsetsToCommit();
        if (!transaction.open() && offsets.isEmpty()) {
            return true;
        }
        if (transaction.commit(offsets, group.get())) {
            owned.committed(offsets);
            return true;
        }
        // the calls behind the aborted results were made: send the results again rather than the SMS
        transaction.replay(this::fate);
        return false;
    }

    /**
     * A kept record is sent only while the progress that produced it still owns its partition; parked while that
     * progress is suspended; else dropped: its partition is gone, or came back under a new progress (another member
     * committed it meanwhile), and committing the record would answer its command a second time.
     */
    private PendingRecords.Fate fate(TopicPartition tp, PartitionProgress producedBy) {
        if (owned.get(tp) == producedBy) {
            return PendingRecords.Fate.SEND;
        }
        return owned.isSuspended(tp, producedBy) ? PendingRecords.Fate.PARK : PendingRecords.Fate.DROP;
    }

    /** Revoked: drains what finishes within the budget, commits, and suspends the partitions. */
    void revoked(Collection<TopicPartition> partitions, long budgetNanos) {
        drainUntil(partitions, budgetNanos);
        commitNow();
        suspend(partitions);
    }

    /**
     * Lost (the group moved on without us): nothing more can be committed for them; they are suspended and held for
     * {@link #LOST_HOLD}, in case the group hands them back after an assignment without them.
     */
    void lost(Collection<TopicPartition> partitions) {
        transaction.abort();
        owned.suspendLost(partitions, System.nanoTime() + LOST_HOLD.toNanos());
        transaction.replay(this::fate);
    }

    /** Once per poll loop: lost partitions not handed back within their hold are retired, their results dropped. */
    void releaseExpiredHolds(long nowNanos) {
        if (!owned.holdsLost()) {
            return;
        }
        List<PartitionProgress> gone = owned.retireExpiredHolds(nowNanos);
        if (gone.isEmpty()) {
            return;
        }
        LOG.info("{} lost partition(s) not handed back within {}: their calls' results are dropped", gone.size(),
                LOST_HOLD);
        dropParked(gone);
        transaction.unpark(this::fate);
    }

    private void dropParked(List<PartitionProgress> retired) {
        for (PartitionProgress p : retired) {
            List<Completion> dropped = parked.remove(p);
            if (dropped != null) {
                dropped.forEach(c -> owned.abandoned(p, c.offset()));
            }
        }
    }

    private void suspend(Collection<TopicPartition> partitions) {
        owned.suspend(partitions);
        if (transaction.open()) {
            // results of the suspended partitions must not commit without their offsets: park them
            transaction.abort();
            transaction.replay(this::fate);
        }
    }

    /**
     * Assigned: takes {@code added}; suspended partitions that came back unchanged continue (their parked results
     * go into the transaction); those not in {@code assignment} are retired and their parked results dropped, unless
     * lost and still held.
     */
    void assigned(Collection<TopicPartition> added, Set<TopicPartition> assignment) {
        OwnedPartitions.Taken taken = owned.take(added);
        List<PartitionProgress> retired = new ArrayList<>(taken.retired());
        retired.addAll(owned.retireSuspended(assignment));
        dropParked(retired);
        transaction.unpark(this::fate);
        if (!taken.resumed().isEmpty()) {
            LOG.info("{} came back unchanged: their calls in flight and results not yet committed are kept",
                    taken.resumed());
        }
        for (TopicPartition tp : taken.resumed()) {
            List<Completion> again = parked.remove(owned.get(tp));
            if (again != null) {
                LOG.info("{} continues with {} call(s) finished while it was suspended", tp, again.size());
                again.forEach(this::complete);
            }
        }
    }
}
