package io.egoiverify.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class DeadLetterFitTest {
    private static final int ONE_MIB = 1024 * 1024;

    private static ProducerRecord<byte[], byte[]> letter(byte[] key, byte[] value, int sourceHeaderBytes) {
        RecordHeaders h = new RecordHeaders();
        if (sourceHeaderBytes > 0) {
            h.add("traceparent", new byte[sourceHeaderBytes]);
        }
        h.add(DeadLetterHeaders.EXCEPTION, utf8("org.apache.kafka.common.errors.SerializationException"));
        h.add(DeadLetterHeaders.MESSAGE, utf8("x".repeat(5000)));
        h.add(DeadLetterFit.STACKTRACE, utf8("at some.Frame(Frame.java:1)\n".repeat(300)));
        h.add(DeadLetterHeaders.TOPIC, utf8("verification.requested"));
        h.add(DeadLetterHeaders.PARTITION, utf8("3"));
        h.add(DeadLetterHeaders.OFFSET, utf8("12345"));
        return new ProducerRecord<>("verification.dlq", null, 1_000L, key, value, h);
    }

    /** The producer's own bound, the one {@code max.request.size} is checked against. */
    private static int producerBound(ProducerRecord<byte[], byte[]> r) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                r.key(), r.value(), r.headers().toArray());
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void aDeadLetterThatFitsIsLeftAsItIs() {
        ProducerRecord<byte[], byte[]> small = letter(utf8("r1"), utf8("not avro"), 40);
        assertThat(DeadLetterFit.fit(small, ONE_MIB)).isSameAs(small);
    }

    @Test
    void ourBoundIsNeverBelowTheProducersOwn() {
        for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 100_000, ONE_MIB}) {
            ProducerRecord<byte[], byte[]> r = letter(random(size % 300), random(size), size % 7 * 100);
            assertThat(DeadLetterFit.sizeUpperBound(r.key(), r.value(), Arrays.asList(r.headers().toArray())))
                    .as("size %d", size).isGreaterThanOrEqualTo(producerBound(r));
        }
    }

    @Test
    void anInputNearTheLimitIsCutToFitAndSaysWhatWasCut() throws Exception {
        byte[] value = random(ONE_MIB - 200);
        ProducerRecord<byte[], byte[]> fitted = DeadLetterFit.fit(letter(utf8("r1"), value, 64), ONE_MIB);

        assertThat(producerBound(fitted)).isLessThanOrEqualTo(ONE_MIB);
        assertThat(fitted.key()).isEqualTo(utf8("r1"));
        assertThat(fitted.value()).hasSizeGreaterThan(ONE_MIB - 10_000)
                .isEqualTo(Arrays.copyOf(value, fitted.value().length));
        assertThat(header(fitted, DeadLetterHeaders.VALUE_SIZE)).isEqualTo(Integer.toString(value.length));
        assertThat(header(fitted, DeadLetterHeaders.VALUE_SHA256)).isEqualTo(sha256(value));
        assertThat(header(fitted, DeadLetterHeaders.KEY_SIZE)).isEqualTo("2");
        assertThat(header(fitted, DeadLetterHeaders.KEY_SHA256)).isEqualTo(sha256(utf8("r1")));
        assertThat(header(fitted, DeadLetterHeaders.TRUNCATED))
                .contains("value " + fitted.value().length + " of " + value.length + " bytes")
                .contains("key 2 of 2 bytes").contains("dropped stack trace");
        // What says where the input is and why it failed stays; the message is bounded; small source headers stay.
        assertThat(header(fitted, DeadLetterHeaders.TOPIC)).isEqualTo("verification.requested");
        assertThat(header(fitted, DeadLetterHeaders.PARTITION)).isEqualTo("3");
        assertThat(header(fitted, DeadLetterHeaders.OFFSET)).isEqualTo("12345");
        assertThat(header(fitted, DeadLetterHeaders.EXCEPTION)).endsWith("SerializationException");
        assertThat(header(fitted, DeadLetterHeaders.MESSAGE)).hasSize(DeadLetterFit.MESSAGE_LIMIT);
        assertThat(fitted.headers().lastHeader(DeadLetterFit.STACKTRACE)).isNull();
        assertThat(fitted.headers().lastHeader("traceparent")).isNotNull();
        assertThat(fitted.topic()).isEqualTo("verification.dlq");
        assertThat(fitted.timestamp()).isEqualTo(1_000L);
    }

    @Test
    void largeSourceHeadersAreDroppedAndCounted() {
        ProducerRecord<byte[], byte[]> fitted = DeadLetterFit.fit(letter(utf8("r1"), random(200_000), 300_000),
                ONE_MIB / 4);

        assertThat(producerBound(fitted)).isLessThanOrEqualTo(ONE_MIB / 4);
        assertThat(fitted.headers().lastHeader("traceparent")).isNull();
        assertThat(header(fitted, DeadLetterHeaders.TRUNCATED)).contains("1 source header(s)");
        assertThat(fitted.value()).as("the value fits whole once the headers are gone").hasSize(200_000);
    }

    @Test
    void aLargeKeyIsCutTooAndEitherMayBeMissing() {
        byte[] key = random(600_000);
        ProducerRecord<byte[], byte[]> both = DeadLetterFit.fit(letter(key, random(600_000), 0), ONE_MIB);
        assertThat(producerBound(both)).isLessThanOrEqualTo(ONE_MIB);
        assertThat(both.key()).isEqualTo(Arrays.copyOf(key, both.key().length));
        assertThat(both.key().length + both.value().length).isGreaterThan(ONE_MIB - 10_000);

        ProducerRecord<byte[], byte[]> noKey = DeadLetterFit.fit(letter(null, random(2 * ONE_MIB), 0), ONE_MIB);
        assertThat(noKey.key()).isNull();
        assertThat(producerBound(noKey)).isLessThanOrEqualTo(ONE_MIB);
        assertThat(header(noKey, DeadLetterHeaders.KEY_SIZE)).isEqualTo("0");
        assertThat(header(noKey, DeadLetterHeaders.KEY_SHA256)).isEmpty();

        ProducerRecord<byte[], byte[]> noValue = DeadLetterFit.fit(letter(random(2 * ONE_MIB), null, 0), ONE_MIB);
        assertThat(noValue.value()).isNull();
        assertThat(producerBound(noValue)).isLessThanOrEqualTo(ONE_MIB);
    }

    @Test
    void aTopicLimitTooSmallForTheHeadersKeepsNoBytesButStillSaysWhy() {
        ProducerRecord<byte[], byte[]> fitted = DeadLetterFit.fit(letter(utf8("r1"), random(5_000), 0), 900);
        assertThat(fitted.key()).isEmpty();
        assertThat(fitted.value()).isEmpty();
        assertThat(header(fitted, DeadLetterHeaders.VALUE_SIZE)).isEqualTo("5000");
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
