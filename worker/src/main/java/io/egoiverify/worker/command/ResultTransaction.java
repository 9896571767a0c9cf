package io.egoiverify.worker.command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's transactional output: results and dead letters go into the open transaction, which commits together
 * with the consumed offsets when due (interval or size). The records of the open transaction are kept until it
 * commits, so that after a failed (aborted) commit they can be {@linkplain #replay replayed} into the next one: a
 * result whose E-goi call was made is never thrown away because Kafka refused one commit (that would run the command
 * again, i.e. a second SMS). Used by the poll thread only.
 */
final class ResultTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(ResultTransaction.class);

    /** A record of the open transaction and the command partition it answers. */
    private record Pending(TopicPartition source, ProducerRecord<byte[], byte[]> record) {
    }

    private final Producer<byte[], byte[]> producer;
    private final WorkerConfig.Flow flow;
    private final List<Pending> pending = new ArrayList<>();
    private boolean open;
    private int failures;
    private long lastCommitNanos = System.nanoTime();

    ResultTransaction(Producer<byte[], byte[]> producer, WorkerConfig.Flow flow) {
        this.producer = producer;
        this.flow = flow;
    }

    void init() {
        producer.initTransactions();
    }

    /** Adds {@code record}, which answers a command of {@code source}, to the open transaction. */
    void send(TopicPartition source, ProducerRecord<byte[], byte[]> record) {
        begin();
        producer.send(record);
        pending.add(new Pending(source, record));
    }

    boolean open() {
        return open;
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
     * Commits the open transaction with {@code offsets}; false if it failed and was aborted (its records are kept for
     * {@link #replay}; {@link #failures()} counts consecutive failures). Fencing is fatal and propagates.
     */
    boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        try {
            begin();
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, group);
            }
            commitTransaction();
            open = false;
            pending.clear();
            failures = 0;
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw e;
        } catch (KafkaException e) {
            failures++;
            LOG.warn("Transaction failed ({}, {} time(s) in a row); aborting", e.toString(), failures);
            abort();
            return false;
        }
    }

    /**
     * A commit that timed out may still complete and must be retried, not aborted (the producer refuses an abort
     * then); a few retries, then it counts as failed.
     */
    private void commitTransaction() {
        for (int attempt = 1; ; attempt++) {
            try {
                producer.commitTransaction();
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (attempt >= 3) {
                    throw e;
                }
                LOG.warn("Transaction commit timed out ({}); retrying", e.getMessage());
            }
        }
    }

    /** Consecutive failed commits. */
    int failures() {
        return failures;
    }

    /** Aborts the open transaction; its records stay pending until {@link #replay} or a commit. */
    void abort() {
        try {
            if (open) {
                producer.abortTransaction();
            }
        } finally {
            open = false;
        }
    }

    /**
     * After an abort: sends the aborted records that answer commands of partitions still {@code owned} again, in a new
     * transaction; the others are dropped (their commands were not committed, so their new owner runs them).
     */
    void replay(Predicate<TopicPartition> owned) {
        if (open) {
            throw new IllegalStateException("replay needs the transaction aborted first");
        }
        List<Pending> again = new ArrayList<>(pending);
        pending.clear();
        for (Pending p : again) {
            if (owned.test(p.source())) {
                send(p.source(), p.record());
            }
        }
    }

    void close(Duration grace) {
        producer.close(grace);
    }

    private void begin() {
        if (!open) {
            producer.beginTransaction();
            open = true;
        }
    }
}
