package io.egoiverify.worker.command;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's transactional output: results and dead letters go into the open transaction, which commits together
 * with the consumed offsets when due (interval or size). Used by the poll thread only.
 */
final class ResultTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(ResultTransaction.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final WorkerConfig.Flow flow;
    private boolean open;
    private int records;
    private long lastCommitNanos = System.nanoTime();

    ResultTransaction(KafkaProducer<byte[], byte[]> producer, WorkerConfig.Flow flow) {
        this.producer = producer;
        this.flow = flow;
    }

    void init() {
        producer.initTransactions();
    }

    void send(ProducerRecord<byte[], byte[]> record) {
        begin();
        producer.send(record);
        records++;
    }

    boolean open() {
        return open;
    }

    /** True when a commit is due; restarts the interval. */
    boolean due(boolean force) {
        boolean due = force || records >= flow.maxRecordsPerTransaction()
                || System.nanoTime() - lastCommitNanos >= flow.commitInterval().toNanos();
        if (due) {
            lastCommitNanos = System.nanoTime();
        }
        return due;
    }

    /**
     * Commits the open transaction with {@code offsets}; false if it failed and was aborted (its results are lost and
     * their commands must run again). Fencing is fatal and propagates.
     */
    boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        try {
            begin();
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, group);
            }
            producer.commitTransaction();
            open = false;
            records = 0;
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("Transaction failed ({}); aborting", e.toString());
            abort();
            return false;
        }
    }

    void abort() {
        try {
            if (open) {
                producer.abortTransaction();
            }
        } finally {
            open = false;
            records = 0;
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
