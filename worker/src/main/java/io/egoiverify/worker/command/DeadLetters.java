package io.egoiverify.worker.command;

import static io.egoiverify.schemas.topics.DeadLetterHeaders.EXCEPTION;
import static io.egoiverify.schemas.topics.DeadLetterHeaders.MESSAGE;
import static io.egoiverify.schemas.topics.DeadLetterHeaders.OFFSET;
import static io.egoiverify.schemas.topics.DeadLetterHeaders.PARTITION;
import static io.egoiverify.schemas.topics.DeadLetterHeaders.TOPIC;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the dead-letter record for a command that cannot be read: the raw key and value bytes, the original headers,
 * and headers naming the origin and the error (the same names as Kafka Streams' built-in dead-letter queue, KIP-1034,
 * so one tool reads both). The error message never contains the record's content.
 */
final class DeadLetters {
    private DeadLetters() {
    }

    static ProducerRecord<byte[], byte[]> of(String deadLetterTopic, ConsumerRecord<byte[], byte[]> rec,
                                             String errorClass, String message) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(deadLetterTopic, null, rec.key(), rec.value(),
                new RecordHeaders(rec.headers().toArray()));
        Headers h = out.headers();
        h.add(EXCEPTION, bytes(errorClass));
        h.add(MESSAGE, bytes(message));
        h.add(TOPIC, bytes(rec.topic()));
        h.add(PARTITION, bytes(Integer.toString(rec.partition())));
        h.add(OFFSET, bytes(Long.toString(rec.offset())));
        return out;
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }
}
