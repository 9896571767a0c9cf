package io.egoiverify.lifecycle.streams;

import static io.egoiverify.schemas.topics.DeadLetterHeaders.EXCEPTION;
import static io.egoiverify.schemas.topics.DeadLetterHeaders.MESSAGE;
import static io.egoiverify.schemas.topics.DeadLetterHeaders.OFFSET;
import static io.egoiverify.schemas.topics.DeadLetterHeaders.PARTITION;
import static io.egoiverify.schemas.topics.DeadLetterHeaders.TOPIC;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Dead-letter records for records the processor refuses, in the same shape as Kafka Streams' built-in ones: the raw
 * source key and value, the source headers, and {@code __streams.errors.*} headers naming the origin and the error.
 */
final class DeadLetters {
    private DeadLetters() {
    }

    static List<ProducerRecord<byte[], byte[]>> of(String dlqTopic, ErrorHandlerContext context, Exception error) {
        if (dlqTopic == null) {
            return List.of();
        }
        // A record stamped -1 (its producer set none): a negative timestamp would make ProducerRecord throw.
        Long timestamp = context.timestamp() < 0 ? null : context.timestamp();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(dlqTopic, null, timestamp,
                context.sourceRawKey(), context.sourceRawValue());
        if (context.headers() != null) {
            for (Header h : context.headers()) {
                record.headers().add(h);
            }
        }
        record.headers().add(EXCEPTION, bytes(error.getClass().getName()));
        record.headers().add(MESSAGE, bytes(String.valueOf(error.getMessage())));
        record.headers().add(TOPIC, bytes(context.topic()));
        record.headers().add(PARTITION, bytes(String.valueOf(context.partition())));
        record.headers().add(OFFSET, bytes(String.valueOf(context.offset())));
        return List.of(record);
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
