package io.egoiverify.app.deadletter;

import io.egoiverify.schemas.topics.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One record of the dead-letter topic: where it sits, the raw key and value, every header, and what its error headers
 * say about its origin. The key and value are kept only to be replayed; nothing here prints them.
 *
 * @param originTopic     {@code __streams.errors.topic}, or null when the header is missing
 * @param originPartition {@code __streams.errors.partition}, or -1
 * @param originOffset    {@code __streams.errors.offset}, or -1
 * @param truncated       cut to fit the topic ({@link DeadLetterHeaders#TRUNCATED}): not the whole record
 */
public record DeadLetter(int partition, long offset, Instant timestamp, byte[] key, byte[] value, List<Header> headers,
                         String originTopic, int originPartition, long originOffset, String exception, String message,
                         boolean truncated) {
    /** The prefix of {@link DeadLetterHeaders#TRUNCATED} and its companions. */
    static final String DEAD_LETTER_MARKS = "egoi-verify.dead-letter.";

    public DeadLetter {
        headers = List.copyOf(headers);
    }

    public static DeadLetter of(ConsumerRecord<byte[], byte[]> r) {
        List<Header> headers = new ArrayList<>();
        r.headers().forEach(headers::add);
        return new DeadLetter(r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()), r.key(), r.value(),
                headers, text(headers, DeadLetterHeaders.TOPIC), (int) number(headers, DeadLetterHeaders.PARTITION),
                number(headers, DeadLetterHeaders.OFFSET), text(headers, DeadLetterHeaders.EXCEPTION),
                text(headers, DeadLetterHeaders.MESSAGE), text(headers, DeadLetterHeaders.TRUNCATED) != null);
    }

    /** The headers a replay copies: the origin record's own, without the error headers and the service's marks. */
    public List<Header> replayHeaders() {
        return headers.stream().filter(h -> !h.key().startsWith(DeadLetterHeaders.PREFIX)
                && !h.key().startsWith(DEAD_LETTER_MARKS)).toList();
    }

    /** {@code partition:offset} in the dead-letter topic, as {@code dlq replay --offsets} takes it. */
    public String position() {
        return partition + ":" + offset;
    }

    public int keySize() {
        return key == null ? 0 : key.length;
    }

    public int valueSize() {
        return value == null ? 0 : value.length;
    }

    /** The last header of that name (Kafka Streams adds its own after the source's), as UTF-8, or null. */
    private static String text(List<Header> headers, String name) {
        String found = null;
        for (Header h : headers) {
            if (h.key().equals(name) && h.value() != null) {
                found = new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return found;
    }

    private static long number(List<Header> headers, String name) {
        String t = text(headers, name);
        try {
            return t == null ? -1 : Long.parseLong(t.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
