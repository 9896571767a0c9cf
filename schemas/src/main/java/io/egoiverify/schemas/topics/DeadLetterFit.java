package io.egoiverify.schemas.topics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Cuts a dead letter down to the size its topic takes. A dead letter copies its input and adds error headers, so an
 * input near the topic limits (1 MiB by default) makes a dead letter the producer or the broker refuses for good: the
 * task or worker fails on it, reads it again and fails again, and its partition is blocked. A dead letter that fits is
 * left as it is; one that does not keeps its error headers (the stack trace dropped, the message cut to
 * {@value #MESSAGE_LIMIT} bytes), keeps the source headers only if they are small, keeps the start of the key and value
 * (the first bytes tell a wire format), and says what was cut in {@link DeadLetterHeaders#TRUNCATED} with the original
 * sizes and SHA-256 digests. The whole input stays in its own topic, at the offset the headers name, until retention.
 */
public final class DeadLetterFit {
    /** Kafka Streams' stack-trace header (KIP-1034): the first thing to go. */
    static final String STACKTRACE = "__streams.errors.stacktrace";
    static final int MESSAGE_LIMIT = 1024;
    /**
     * Bytes a record batch of one record adds beyond its key, value and headers, rounded up: the batch header (61), the
     * record's attributes, timestamp and offset deltas and its length varints. An upper bound, like the producer's.
     */
    static final int RECORD_OVERHEAD = 61 + 21 + 3 * 5;
    private static final int HEADER_OVERHEAD = 2 * 5;

    private DeadLetterFit() {
    }

    /**
     * The dead letter itself if it fits in {@code maxBytes} (the smaller of the producer's {@code max.request.size} and
     * the topic's {@code max.message.bytes}), else a copy cut to fit.
     */
    public static ProducerRecord<byte[], byte[]> fit(ProducerRecord<byte[], byte[]> letter, int maxBytes) {
        byte[] key = letter.key();
        byte[] value = letter.value();
        Header[] headers = letter.headers().toArray();
        if (sizeUpperBound(key, value, Arrays.asList(headers)) <= maxBytes) {
            return letter;
        }
        List<Header> errors = new ArrayList<>();
        List<Header> source = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (Header h : headers) {
            if (h.key().equals(STACKTRACE)) {
                dropped.add("stack trace");
            } else if (h.key().equals(DeadLetterHeaders.MESSAGE)) {
                errors.add(new RecordHeader(h.key(), cut(h.value(), MESSAGE_LIMIT)));
            } else if (h.key().startsWith(DeadLetterHeaders.PREFIX)) {
                errors.add(h);
            } else {
                source.add(h);
            }
        }
        // Source headers stay only while they leave most of the room to the key and value.
        List<Header> kept = new ArrayList<>();
        if (headersSize(source) <= maxBytes / 8) {
            kept.addAll(source);
        } else {
            dropped.add(source.size() + " source header(s)");
        }
        kept.addAll(errors);
        int keyLength = key == null ? 0 : key.length;
        int valueLength = value == null ? 0 : value.length;
        // Sized with the original lengths, which print at least as wide as the cut ones.
        int room = maxBytes - sizeUpperBound(new byte[0], new byte[0], kept)
                - headersSize(marks(key, value, keyLength, valueLength, dropped));
        int keyBytes = Math.min(keyLength, Math.max(0, room / 2));
        int valueBytes = Math.min(valueLength, Math.max(0, room - keyBytes));
        keyBytes = Math.min(keyLength, Math.max(0, room - valueBytes));
        RecordHeaders out = new RecordHeaders();
        kept.forEach(out::add);
        marks(key, value, keyBytes, valueBytes, dropped).forEach(out::add);
        return new ProducerRecord<>(letter.topic(), letter.partition(), letter.timestamp(),
                key == null ? null : Arrays.copyOf(key, keyBytes),
                value == null ? null : Arrays.copyOf(value, valueBytes), out);
    }

    /** {@link #fit} for each dead letter of a Kafka Streams error handler's response. */
    public static List<ProducerRecord<byte[], byte[]>> fitAll(List<ProducerRecord<byte[], byte[]>> letters,
                                                             int maxBytes) {
        return letters.stream().map(r -> fit(r, maxBytes)).toList();
    }

    /** An upper bound of the bytes a batch holding just this record takes (no compression), as the producer checks. */
    static int sizeUpperBound(byte[] key, byte[] value, Iterable<Header> headers) {
        return RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length)
                + headersSize(headers);
    }

    private static int headersSize(Iterable<Header> headers) {
        int size = 0;
        for (Header h : headers) {
            size += HEADER_OVERHEAD + h.key().getBytes(StandardCharsets.UTF_8).length
                    + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    /** The headers saying what was cut, with the originals' sizes and digests. */
    private static List<Header> marks(byte[] key, byte[] value, int keptKey, int keptValue, List<String> dropped) {
        int keyLength = key == null ? 0 : key.length;
        int valueLength = value == null ? 0 : value.length;
        String summary = String.format("cut to fit the dead-letter topic: key %d of %d bytes, value %d of %d bytes%s",
                keptKey, keyLength, keptValue, valueLength, dropped.isEmpty() ? "" : "; dropped " + String.join(", ",
                        dropped));
        return List.of(
                new RecordHeader(DeadLetterHeaders.TRUNCATED, utf8(summary)),
                new RecordHeader(DeadLetterHeaders.KEY_SIZE, utf8(Integer.toString(keyLength))),
                new RecordHeader(DeadLetterHeaders.KEY_SHA256, utf8(sha256(key))),
                new RecordHeader(DeadLetterHeaders.VALUE_SIZE, utf8(Integer.toString(valueLength))),
                new RecordHeader(DeadLetterHeaders.VALUE_SHA256, utf8(sha256(value))));
    }

    private static byte[] cut(byte[] bytes, int limit) {
        return bytes == null || bytes.length <= limit ? bytes : Arrays.copyOf(bytes, limit);
    }

    private static String sha256(byte[] bytes) {
        if (bytes == null) {
            return "";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
