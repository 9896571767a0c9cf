package io.egoiverify.worker.command;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's transactional output: results and dead letters go into the open transaction, which commits together
 * with the consumed offsets when due (interval or size). The records of the open transaction are kept until it
 * commits, so that after a failed (aborted) commit they can be {@linkplain #replay replayed} into the next one: a
 * result whose E-goi call was made is never thrown away because Kafka refused one commit (that would run the command
 * again, i.e. a second SMS). Used by the poll thread only.
 *
 * <p>A broker that stops answering makes the producer's blocking calls time out. After a timed-out
 * {@code commitTransaction} the producer allows nothing but retrying it or closing (an abort is refused with an
 * {@link IllegalStateException}); after a timed-out abort, likewise. So on any timeout this class closes the producer
 * and makes a new one with the same {@code transactional.id}: its {@code initTransactions} waits for the broker and
 * settles the old transaction (finishes a commit the coordinator had accepted, aborts anything else), and the
 * committed offsets then say which it was: committed, or aborted and replayed. The same holds when the coordinator
 * aborted a transaction that outlived {@code transaction.timeout.ms} and fenced its epoch.
 *
 * <p>A record the producer refuses for good (too large, no Write ACL on its topic, an invalid topic) would doom every
 * replay of its transaction, for ever, while polling and E-goi calls go on. After {@link #MAX_REFUSALS} transactions
 * in a row doomed that way the commit throws {@link RecordRefusedException}, naming the cause: the worker stops (its
 * owner exits, the pod restarts) rather than loop; the record is not dropped.
 */
final class ResultTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(ResultTransaction.class);
    /** Transactions in a row doomed by a record refused for good, after which the worker stops. */
    static final int MAX_REFUSALS = 3;

    private final TransactionalProducer producers;
    private final WorkerConfig.Flow flow;
    private final PendingRecords pending = new PendingRecords();
    /** A transaction is begun on the producer. */
    private boolean open;
    /** The producer refused a record of the open transaction: it can only be aborted (its records replayed). */
    private boolean doomed;
    private long openedAtNanos;
    private int failures;
    /** Why a record of the open transaction was refused for good (topic and cause), or null. */
    private String refusal;
    /**
     * The same, from the producer's callback of the record that was refused (set on the producer's I/O thread). A
     * record the broker refuses fails later sends at once, whatever their topic: the callback names the right one.
     */
    private final AtomicReference<String> refusedRecord = new AtomicReference<>();
    private int refusedInARow;
    private long lastCommitNanos = System.nanoTime();

    ResultTransaction(TransactionalProducer producers, WorkerConfig.Flow flow) {
        this.producers = Objects.requireNonNull(producers, "producers");
        this.flow = Objects.requireNonNull(flow, "flow");
    }

    /** Creates and initialises the producer, waiting for the broker (until the worker stops). */
    void init() {
        newProducer();
    }

    /**
     * Adds {@code record}, which answers a command of {@code source} taken under {@code producedBy}, to the open
     * transaction.
     */
    void send(TopicPartition source, PartitionProgress producedBy, ProducerRecord<byte[], byte[]> record) {
        pending.add(source, producedBy, record);
        if (!doomed) {
            write(record);
        }
    }

    private void write(ProducerRecord<byte[], byte[]> record) {
        try {
            begin();
            Future<RecordMetadata> sent = producers.get().send(record, (metadata, error) -> {
                Throwable cause = error == null ? null : refusalForGood(error);
                if (cause != null) {
                    refusedRecord.compareAndSet(null, refusedMessage(record.topic(), cause));
                }
            });
            if (sent.isDone()) {
                failedAtOnce(sent, record.topic());
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            if (!outlivedTimeout()) {
                throw e;
            }
            markDoomed(e);
        } catch (KafkaException | IllegalStateException e) {
            // the producer is in an error state (e.g. an earlier send timed out): nothing more can go into this
            // transaction, which must be aborted; the record stays pending and is replayed
            markDoomed(e, record.topic());
        }
    }

    /**
     * A send that failed before reaching the network (e.g. no metadata within {@code max.block.ms} while the broker
     * does not answer) dooms the transaction; recognising it at once spares every later result the same wait.
     */
    private void failedAtOnce(Future<RecordMetadata> sent, String topic) {
        try {
            sent.get();
        } catch (ExecutionException e) {
            markDoomed(e.getCause() instanceof RuntimeException r ? r : new KafkaException(e.getCause()), topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void markDoomed(RuntimeException e) {
        markDoomed(e, null);
    }

    private void markDoomed(RuntimeException e, String topic) {
        Throwable cause = refusalForGood(e);
        if (refusal == null && topic != null && cause != null) {
            refusal = refusedMessage(topic, cause);
        }
        if (!doomed) {
            LOG.warn("Transaction cannot take more records ({}); it will be aborted and its records replayed",
                    e.toString());
        }
        doomed = true;
    }

    boolean open() {
        return open || pending.size() > 0;
    }

    /** True when a commit is due; restarts the interval. */
    boolean due(boolean force) {
        boolean due = force || pending.size() >= flow.maxRecordsPerTransaction()
                || System.nanoTime() - lastCommitNanos >= flow.commitInterval().toNanos();
        if (due) {
            lastCommitNanos = System.nanoTime();
        }
        return due;
    }

    /**
     * Commits the open transaction with {@code offsets}; false if it was aborted (its records are kept for
     * {@link #replay}; {@link #failures()} counts consecutive failures). Fencing by another instance is fatal and
     * propagates; so do errors that no new producer would cure (e.g. authorization).
     */
    boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        if (doomed) {
            String why = refusedRecord.get() != null ? refusedRecord.get() : refusal;
            failed(why != null ? why : "a record was refused");
            if (why != null) {
                refusedForGood(why);
            }
            abort();
            return false;
        }
        boolean commitSent = false;
        try {
            begin();
            if (!offsets.isEmpty()) {
                producers.get().sendOffsetsToTransaction(offsets, group);
            }
            commitSent = true;
            producers.get().commitTransaction();
            committed();
            return true;
        } catch (TimeoutException e) {
            LOG.warn("Transaction {} timed out ({}); settling it with a new producer",
                    commitSent ? "commit" : "offsets", e.getMessage());
            return settle(offsets, commitSent);
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            if (!outlivedTimeout()) {
                throw e;
            }
            LOG.warn("Transaction outlived transaction.timeout.ms and was aborted by the coordinator ({}); "
                    + "replaying it with a new producer", e.toString());
            return settle(offsets, false);
        } catch (KafkaException e) {
            failed(e.toString());
            Throwable cause = refusalForGood(e);
            if (cause != null) { // a send that failed later (e.g. the broker's own size limit) fails the commit
                refusedForGood(refusedRecord.get() != null ? refusedRecord.get() : "a record refused: " + cause);
            }
            abort();
            return false;
        }
    }

    /** One more transaction in a row doomed by a record refused for good; at {@link #MAX_REFUSALS} the worker stops. */
    private void refusedForGood(String why) {
        if (++refusedInARow >= MAX_REFUSALS) {
            throw new RecordRefusedException(refusedInARow, why);
        }
    }

    /**
     * After a timeout the producer may only retry or close: a new producer settles the old transaction, and the
     * committed offsets say whether it committed. Without a commit request it cannot have committed.
     */
    private boolean settle(Map<TopicPartition, OffsetAndMetadata> offsets, boolean commitSent) {
        newProducer();
        if (commitSent && !offsets.isEmpty() && sameOffsets(offsets, producers.committed(offsets.keySet()))) {
            LOG.info("The timed-out transaction had committed");
            committed();
            return true;
        }
        failed("not committed");
        return false;
    }

    private static boolean sameOffsets(Map<TopicPartition, OffsetAndMetadata> sent,
                                       Map<TopicPartition, OffsetAndMetadata> committed) {
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : sent.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            // not OffsetAndMetadata.equals: the committed one carries a leader epoch, ours does not
            if (c == null || c.offset() != e.getValue().offset()
                    || !Objects.equals(c.metadata(), e.getValue().metadata())) {
                return false;
            }
        }
        return true;
    }

    private void committed() {
        open = false;
        doomed = false;
        refusal = null;
        refusedRecord.set(null);
        refusedInARow = 0;
        pending.committed();
        failures = 0;
    }

    private void failed(String why) {
        failures++;
        LOG.warn("Transaction failed ({}, {} time(s) in a row); its {} record(s) will be replayed", why, failures,
                pending.size());
    }

    /** Consecutive failed commits. */
    int failures() {
        return failures;
    }

    /** Aborts the open transaction; its records stay pending until {@link #replay} or a commit. */
    void abort() {
        if (!open) {
            if (doomed) {
                newProducer(); // the producer refused even to begin a transaction
            }
            return;
        }
        try {
            producers.get().abortTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            if (!outlivedTimeout()) {
                throw e;
            }
            newProducer(); // the coordinator aborted it already
        } catch (KafkaException | IllegalStateException e) {
            // a timed-out abort (or a commit still pending) can only be retried or the producer closed; a producer
            // in a fatal state cannot abort either: a new producer aborts the old transaction (and fails by itself
            // if the cause is one no new producer cures, e.g. authorization)
            LOG.warn("Abort failed ({}); aborting through a new producer", e.toString());
            newProducer();
        } finally {
            open = false;
            doomed = false;
            refusal = null;
        refusedRecord.set(null);
        }
    }

    /**
     * After an abort: the aborted records (and those parked before) go where {@code fate} (of the partition and the
     * progress that produced them) says: again into a new transaction, aside, or away.
     */
    void replay(BiFunction<TopicPartition, PartitionProgress, PendingRecords.Fate> fate) {
        if (open) {
            throw new IllegalStateException("replay needs the transaction aborted first");
        }
        pending.takeAll(fate).forEach(p -> send(p.source(), p.producedBy(), p.record()));
    }

    /** Records parked for suspended partitions go where {@code fate} says now (the open transaction is kept). */
    void unpark(BiFunction<TopicPartition, PartitionProgress, PendingRecords.Fate> fate) {
        pending.takeParked(fate).forEach(p -> send(p.source(), p.producedBy(), p.record()));
    }

    void close(Duration grace) {
        producers.close(grace);
    }

    private void begin() {
        if (!open) {
            producers.get().beginTransaction();
            open = true;
            openedAtNanos = System.nanoTime();
        }
    }

    private static String refusedMessage(String topic, Throwable cause) {
        return "a record to " + topic + " refused: " + cause;
    }

    /** In the cause chain, a refusal no retry, new producer or new transaction cures; or null. */
    private static Throwable refusalForGood(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                    || t instanceof AuthorizationException || t instanceof InvalidTopicException) {
                return t;
            }
        }
        return null;
    }

    /** The producer refused a record in {@link #MAX_REFUSALS} transactions in a row: the worker must stop. */
    static final class RecordRefusedException extends KafkaException {
        RecordRefusedException(int transactions, String why) {
            super(why + " - in " + transactions + " transactions in a row; stopping the worker rather than replaying "
                    + "it for ever (check the topic's Write ACL and max.message.bytes; the record is not dropped: "
                    + "its command is read again after the restart)");
        }
    }

    /** The coordinator aborts (and fences) a transaction open longer than the transaction timeout. */
    private boolean outlivedTimeout() {
        return open && System.nanoTime() - openedAtNanos >= flow.transactionTimeout().toNanos();
    }

    /** A new producer settles the old one's transaction (see {@link TransactionalProducer}). */
    private void newProducer() {
        open = false;
        doomed = false;
        refusal = null;
        refusedRecord.set(null);
        producers.replace();
    }
}
