package io.egoiverify.lifecycle.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the deadline index: 8-byte big-endian epoch millis followed by the UTF-8 requestId. Stores order keys by
 * unsigned bytes, so for non-negative times this is time order, and a range scan up to "now" returns exactly what is
 * due.
 */
final class DeadlineKeys {
    static final byte[] NO_VALUE = new byte[0];

    private DeadlineKeys() {
    }

    static Bytes key(Instant deadline, String requestId) {
        byte[] id = requestId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + id.length).putLong(clamp(deadline.toEpochMilli())).put(id).array());
    }

    /** The smallest key with this deadline: the lower bound of a scan. */
    static Bytes from(long millis) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(clamp(millis)).array());
    }

    /** A key above every key with a deadline at or before {@code millis}: the upper bound of a scan. */
    static Bytes through(long millis) {
        return Bytes.wrap(ByteBuffer.allocate(9).putLong(clamp(millis)).put((byte) 0xFF).array());
    }

    static long deadline(Bytes key) {
        return ByteBuffer.wrap(key.get(), 0, 8).getLong();
    }

    static String requestId(Bytes key) {
        byte[] k = key.get();
        return new String(k, 8, k.length - 8, StandardCharsets.UTF_8);
    }

    private static long clamp(long millis) {
        return Math.max(0L, millis);
    }
}
