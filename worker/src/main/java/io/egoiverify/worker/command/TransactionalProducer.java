package io.egoiverify.worker.command;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's transactional producer, replaced by a new one with the same {@code transactional.id} whenever it can no
 * longer be used: after a timed-out {@code commitTransaction} or {@code abortTransaction} a producer allows only
 * retrying that call or closing. The new producer's {@code initTransactions} settles whatever the old one left open
 * (the coordinator completes a commit it had accepted and aborts anything else); it waits for the broker until the
 * worker stops. Poll thread only.
 */
final class TransactionalProducer {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalProducer.class);

    /** Where producers come from and what Kafka committed: the worker's Kafka side. */
    interface Kafka {
        /** A new transactional producer (same {@code transactional.id} every time), not yet initialised. */
        Producer<byte[], byte[]> newProducer();

        /** Called with each producer once its transactions are initialised (the first and every replacement). */
        void producerReady(Producer<byte[], byte[]> producer);

        /**
         * The group's committed offsets of {@code partitions} (stable: waits for pending transactional commits; waits
         * for the broker until stopping).
         */
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
    private Producer<byte[], byte[]> producer;

    TransactionalProducer(Kafka kafka) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
    }

    /** The producer in use (after {@link #replace()} at least once). */
    Producer<byte[], byte[]> get() {
        return producer;
    }

    /** Closes the current producer (if any) and initialises a new one, waiting for the broker until stopping. */
    void replace() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("Closing the old producer: {}", e.toString());
            }
        }
        producer = kafka.newProducer();
        for (int attempt = 1; ; attempt++) {
            try {
                producer.initTransactions(); // safe to call again after a timeout
                kafka.producerReady(producer);
                return;
            } catch (TimeoutException e) {
                if (kafka.stopping()) {
                    producer.close(Duration.ZERO);
                    throw new GaveUpException("stopping while the broker is unreachable", e);
                }
                LOG.warn("Initialising transactions timed out ({} time(s)); waiting for the broker", attempt);
            }
        }
    }

    Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        return kafka.committed(partitions);
    }

    void close(Duration grace) {
        if (producer != null) {
            producer.close(grace);
        }
    }
}
