package io.egoiverify.app.deadletter;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces dead letters back to their origin topic in one transaction: the key, the value and the origin record's own
 * headers byte for byte, partitioned by key as the original producer's default partitioner did. One transaction so
 * that a replay that fails half way leaves nothing for a read_committed reader and can simply be run again; the
 * record timestamp is the replay's (it is a new record: a time-based retention or lag reads it as such).
 */
public final class Replayer {
    private final Map<String, Object> props;

    /** @param transactionalId fences an earlier replay of the same id still running (two operators at once) */
    public Replayer(Map<String, Object> kafka, String transactionalId) {
        this.props = new HashMap<>(kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
    }

    /** Copies every letter to {@code topic} and commits; nothing is visible to read_committed readers if it throws. */
    public void replay(String topic, List<DeadLetter> letters) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            try {
                for (DeadLetter d : letters) {
                    producer.send(new ProducerRecord<>(topic, null, null, d.key(), d.value(), d.replayHeaders()));
                }
                producer.commitTransaction();
            } catch (KafkaException e) {
                abortQuietly(producer, e);
                throw e;
            }
        }
    }

    private static void abortQuietly(KafkaProducer<byte[], byte[]> producer, KafkaException cause) {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            cause.addSuppressed(e);
        }
    }
}
