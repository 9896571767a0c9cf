package io.egoiverify.worker.command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
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
 */
final class ResultTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(ResultTransaction.class);

    /** A record of the open transaction and the command partition it answers. */
    private record Pending(TopicPartition source, ProducerRecord<byte[], byte[]> record) {
    }

    /** Where the transaction gets its producers and learns what Kafka committed; the worker's Kafka side. */
    interface Kafka {
        /** A new transactional producer (same {@code transactional.id} every time), not yet initialised. */
        Producer<byte[], byte[]> newProducer();

        /** Called with each producer once its transactions are initialised (the first and every replacement). */
        void producerReady(Producer<byte[], byte[]> producer);

        /** The group's committed offsets of {@code partitions} (stable: waits for pending transactional commits). */
        Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions);

        /** True once the worker is stopping: waiting for an unreachable broker then gives up. */
        boolean stopping();
    }

    /** The broker stayed unreachable until the worker was told to stop. */
    static final class GaveUpException extends KafkaException {
        GaveUpException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Kafka kafka;
    private final WorkerConfig.Flow flow;
    private final List<Pending> pending = new ArrayList<>();
    /** Records of aborted transactions whose partitions are suspended by a rebalance. */
    private final List<Pending> parked = new ArrayList<>();
    private Producer<byte[], byte[]> producer;
    /** A transaction is begun on the producer. */
    private boolean open;
    /** The producer refused a record of the open transaction: it can only be aborted (its records replayed). */
    private boolean doomed;
    private long openedAtNanos;
    private int failures;
    private long lastCommitNanos = System.nanoTime();

    ResultTransaction(Kafka kafka, WorkerConfig.Flow flow) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.flow = Objects.requireNonNull(flow, "flow");
    }

    /** Creates and initialises the producer, waiting for the broker (until the worker stops). */
    void init() {
        newProducer();
    }

    /** Adds {@code record}, which answers a command of {@code source}, to the open transaction. */
    void send(TopicPartition source, ProducerRecord<byte[], byte[]> record) {
        pending.add(new Pending(source, record));
        if (!doomed) {
            write(record);
        }
    }

    private void write(ProducerRecord<byte[], byte[]> record) {
        try {
            begin();
            Future<RecordMetadata> sent = producer.send(record);
            if (sent.isDone()) {
                failedAtOnce(sent);
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            if (!outlivedTimeout()) {
                throw e;
            }
            markDoomed(e);
        } catch (KafkaException | IllegalStateException e) {
            // the producer is in an error state (e.g. an earlier send timed out): nothing more can go into this
            // transaction, which must be aborted; the record stays pending and is replayed
            markDoomed(e);
        }
    }

    /**
     * A send that failed before reaching the network (e.g. no metadata within {@code max.block.ms} while the broker
     * does not answer) dooms the transaction; recognising it at once spares every later result the same wait.
     */
    private void failedAtOnce(Future<RecordMetadata> sent) {
        try {
            sent.get();
        } catch (ExecutionException e) {
            markDoomed(e.getCause() instanceof RuntimeException r ? r : new KafkaException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void markDoomed(RuntimeException e) {
        if (!doomed) {
            LOG.warn("Transaction cannot take more records ({}); it will be aborted and its records replayed",
                    e.toString());
        }
        doomed = true;
    }

    boolean open() {
        return open || !pending.isEmpty();
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
            failed("a record was refused");
            abort();
            return false;
        }
        boolean commitSent = false;
        try {
            begin();
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, group);
            }
            commitSent = true;
            producer.commitTransaction();
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
            abort();
            return false;
        }
    }

    /**
     * After a timeout the producer may only retry or close: a new producer settles the old transaction, and the
     * committed offsets say whether it committed. Without a commit request it cannot have committed.
     */
    private boolean settle(Map<TopicPartition, OffsetAndMetadata> offsets, boolean commitSent) {
        newProducer();
        if (commitSent && !offsets.isEmpty() && sameOffsets(offsets, committed(offsets.keySet()))) {
            LOG.info("The timed-out transaction had committed");
            committed();
            return true;
        }
        failed("not committed");
        return false;
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        for (int attempt = 1; ; attempt++) {
            try {
                return kafka.committed(partitions);
            } catch (TimeoutException e) {
                giveUpIfStopping("reading committed offsets", e);
                LOG.warn("Reading committed offsets timed out ({} time(s)); retrying", attempt);
            }
        }
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
        pending.clear();
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
            producer.abortTransaction();
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
        }
    }

    /** What becomes of a record kept from an aborted transaction, by the partition whose command it answers. */
    enum Fate {
        /** Owned: into the next transaction. */
        SEND,
        /** Suspended by a rebalance: kept aside until the partition comes back or goes. */
        PARK,
        /** Gone to another instance: dropped (its command was not committed, so its new owner runs it). */
        DROP
    }

    /**
     * After an abort: the aborted records (and those parked before) go where {@code fate} says: again into a new
     * transaction, aside, or away.
     */
    void replay(Function<TopicPartition, Fate> fate) {
        if (open) {
            throw new IllegalStateException("replay needs the transaction aborted first");
        }
        List<Pending> again = new ArrayList<>(pending);
        pending.clear();
        again.addAll(parked);
        parked.clear();
        route(again, fate);
    }

    /** Records parked for suspended partitions go where {@code fate} says now (the open transaction is kept). */
    void unpark(Function<TopicPartition, Fate> fate) {
        List<Pending> again = new ArrayList<>(parked);
        parked.clear();
        route(again, fate);
    }

    private void route(List<Pending> records, Function<TopicPartition, Fate> fate) {
        for (Pending p : records) {
            switch (fate.apply(p.source())) {
                case SEND -> send(p.source(), p.record());
                case PARK -> parked.add(p);
                case DROP -> LOG.debug("Dropping a result for {}: partition gone", p.source());
                default -> throw new IllegalStateException();
            }
        }
    }

    void close(Duration grace) {
        if (producer != null) {
            producer.close(grace);
        }
    }

    private void begin() {
        if (!open) {
            producer.beginTransaction();
            open = true;
            openedAtNanos = System.nanoTime();
        }
    }

    /** The coordinator aborts (and fences) a transaction open longer than the transaction timeout. */
    private boolean outlivedTimeout() {
        return open && System.nanoTime() - openedAtNanos >= flow.transactionTimeout().toNanos();
    }

    /** Closes the current producer (if any) and initialises a new one, waiting for the broker until stopping. */
    private void newProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("Closing the old producer: {}", e.toString());
            }
        }
        open = false;
        doomed = false;
        producer = kafka.newProducer();
        for (int attempt = 1; ; attempt++) {
            try {
                producer.initTransactions(); // safe to call again after a timeout
                kafka.producerReady(producer);
                return;
            } catch (TimeoutException e) {
                if (kafka.stopping()) {
                    producer.close(Duration.ZERO);
                }
                giveUpIfStopping("initialising transactions", e);
                LOG.warn("Initialising transactions timed out ({} time(s)); waiting for the broker", attempt);
            }
        }
    }

    private void giveUpIfStopping(String what, TimeoutException e) {
        if (kafka.stopping()) {
            throw new GaveUpException("stopping while the broker is unreachable (" + what + ")", e);
        }
    }
}
