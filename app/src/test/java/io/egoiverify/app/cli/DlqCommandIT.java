package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.app.CliRun;
import io.egoiverify.schemas.topics.DeadLetterFit;
import io.egoiverify.schemas.topics.DeadLetterHeaders;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.testing.KafkaClusterExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code dlq list} and {@code dlq replay} against a real broker, on a dead letter the real lifecycle wrote (an input
 * that is not Avro in the Confluent wire format) next to dead letters shaped as the service writes them: one cut to
 * fit, one from an internal topic, one from another deployment's topic. No output ever shows the phone number the
 * dead letter's value holds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DlqCommandIT {
    private static final String PHONE = "+351910000123";

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static Map<String, String> env(String prefix) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "mock://dlq-it-" + prefix);
        env.put("EGOI_VERIFY_EGOI_BASE_URL", "http://127.0.0.1:9");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "dlq-it-key");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", "dlq-it-hmac-key-of-at-least-32-bytes-01234");
        env.put("EGOI_VERIFY_TOPICS_PREFIX", prefix);
        env.put("EGOI_VERIFY_OPS_PORT", "0");
        env.put("EGOI_VERIFY_LIFECYCLE_APPLICATION_ID", prefix + "lifecycle");
        env.put("EGOI_VERIFY_KAFKA_STATE_DIR", Files.createTempDirectory("dlq-it").toString());
        return env;
    }

    /** Only what the dlq commands need: Kafka and the prefix (no registry). */
    private static Map<String, String> dlqEnv(String prefix) {
        return Map.of("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(),
                "EGOI_VERIFY_TOPICS_PREFIX", prefix);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsDeadLettersWithoutContentsAndReplayCopiesThemByteForByte() throws Exception {
        String prefix = "d1.";
        TopicNames names = TopicNames.withPrefix(prefix);
        KAFKA.createTopics(1, names.all().values().toArray(String[]::new));
        byte[] key = utf8("req-1");
        byte[] garbage = utf8("not avro: phone " + PHONE);
        try (KafkaProducer<byte[], byte[]> raw = KAFKA.producer(new ByteArraySerializer(),
                new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> bad = new ProducerRecord<>(names.requested(), key, garbage);
            bad.headers().add("trace-id", utf8("t-1"));
            raw.send(bad).get(30, TimeUnit.SECONDS);
        }
        // the real lifecycle dead-letters it; stopped before the replay, which it would otherwise dead-letter again
        CompletableFuture<Void> stop = new CompletableFuture<>();
        Map<String, String> runEnv = env(prefix);
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of(runEnv,
                new ByteArrayInputStream(new byte[0]), stop, "run", "--role", "state"));
        await().atMost(Duration.ofSeconds(60)).until(() -> readAll(names.deadLetter()).size() == 1 || run.isDone());
        stop.complete(null);
        assertThat(run.get(60, TimeUnit.SECONDS).exitCode()).isZero();
        assertThat(readAll(names.deadLetter())).hasSize(1);

        try (KafkaProducer<byte[], byte[]> raw = KAFKA.producer(new ByteArraySerializer(),
                new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> big = letter(names.deadLetter(), names.requested(), key,
                    utf8(PHONE + " ".repeat(5000)));
            raw.send(DeadLetterFit.fit(big, 2000)).get(30, TimeUnit.SECONDS);
            raw.send(letter(names.deadLetter(), names.commands(), key, utf8("command " + PHONE)))
                    .get(30, TimeUnit.SECONDS);
            raw.send(letter(names.deadLetter(), "other.verification.requested", key, utf8("other " + PHONE)))
                    .get(30, TimeUnit.SECONDS);
        }
        List<CliRun> outputs = new ArrayList<>();

        CliRun list = CliRun.of(dlqEnv(prefix), "dlq", "list");
        outputs.add(list);
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out().lines().filter(l -> l.startsWith("dlq 0:")).toList()).hasSize(4);
        assertThat(list.out()).contains("dlq 0:0  ").contains("from " + names.requested() + " 0:0  ")
                .contains("key 5 B, value " + garbage.length + " B").contains("  truncated")
                .contains(names.deadLetter() + ": 4 dead letter(s), 1 truncated; by origin: "
                        + names.commands() + "=1, " + names.requested() + "=2, other.verification.requested=1");

        CliRun limited = CliRun.of(dlqEnv(prefix), "dlq", "list", "--origin", "requested", "--limit", "1");
        outputs.add(limited);
        assertThat(limited.out().lines().filter(l -> l.startsWith("dlq ")).toList()).hasSize(1);
        assertThat(limited.out()).contains("2 dead letter(s), 1 truncated");

        CliRun internal = CliRun.of(dlqEnv(prefix), "dlq", "replay", "--origin", "commands");
        CliRun resends = CliRun.of(dlqEnv(prefix), "dlq", "replay", "--origin", "resend-requested");
        outputs.add(internal);
        outputs.add(resends);
        assertThat(internal.exitCode()).isEqualTo(2);
        assertThat(internal.errLines()).singleElement().asString().contains("refusing to replay to "
                + names.commands()).contains("DEADLINE_PASSED");
        assertThat(resends.exitCode()).isEqualTo(2);
        assertThat(resends.err()).contains("--include-resends");

        CliRun dry = CliRun.of(dlqEnv(prefix), "dlq", "replay", "--origin", "requested", "--dry-run");
        outputs.add(dry);
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("would replay dlq 0:0 to " + names.requested())
                .containsPattern("skipped dlq 0:\\d+: truncated")
                .contains("copy " + names.requested() + " 0:0 from its topic")
                .contains("dry run: would replay 1 to " + names.requested() + "; skipped 1 truncated, 0 outside the "
                        + "selection, 1 from other topics, 1 from topics not of this deployment");
        assertThat(readAll(names.requested())).hasSize(1);

        CliRun replay = CliRun.of(dlqEnv(prefix), "dlq", "replay", "--origin", "requested");
        outputs.add(replay);
        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("replayed 1 to " + names.requested() + " in one transaction");
        List<ConsumerRecord<byte[], byte[]>> requested = readAll(names.requested());
        assertThat(requested).hasSize(2);
        ConsumerRecord<byte[], byte[]> copy = requested.get(1);
        assertThat(copy.key()).isEqualTo(key);
        assertThat(copy.value()).isEqualTo(garbage);
        List<Header> headers = List.of(copy.headers().toArray());
        assertThat(headers).extracting(Header::key).containsExactly("trace-id");
        assertThat(headers.get(0).value()).isEqualTo(utf8("t-1"));

        for (CliRun r : outputs) {
            assertThat(r.out() + r.err()).doesNotContain(PHONE).doesNotContain("910000123");
        }
    }

    @Test
    void sinceUntilAndOffsetsSelectAcrossPartitionsAndAMissingOffsetReplaysNothing() throws Exception {
        String prefix = "d2.";
        TopicNames names = TopicNames.withPrefix(prefix);
        KAFKA.createTopics(2, names.all().values().toArray(String[]::new));
        Instant now = Instant.now();
        try (KafkaProducer<byte[], byte[]> raw = KAFKA.producer(new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(at(0, now.minus(Duration.ofDays(3)), letter(names.deadLetter(), names.requested(), utf8("k-a"),
                    utf8("a")))).get(30, TimeUnit.SECONDS);
            raw.send(at(0, now.minus(Duration.ofMinutes(60)), letter(names.deadLetter(), names.requested(),
                    utf8("k-b"), utf8("b")))).get(30, TimeUnit.SECONDS);
            raw.send(at(1, now.minus(Duration.ofMinutes(50)), letter(names.deadLetter(), names.requested(),
                    utf8("k-c"), utf8("c")))).get(30, TimeUnit.SECONDS);
            raw.send(at(1, now.minus(Duration.ofMinutes(1)), letter(names.deadLetter(), names.requested(),
                    utf8("k-d"), utf8("d")))).get(30, TimeUnit.SECONDS);
            raw.send(at(1, now.minus(Duration.ofMinutes(1)), letter(names.deadLetter(), names.commands(),
                    utf8("k-e"), utf8("e")))).get(30, TimeUnit.SECONDS);
        }

        CliRun recent = CliRun.of(dlqEnv(prefix), "dlq", "list", "--since", "2h");
        assertThat(recent.exitCode()).as(recent.err()).isZero();
        assertThat(recent.out().lines().filter(l -> l.startsWith("dlq ")).map(l -> l.split(" {2}")[0]).sorted())
                .containsExactly("dlq 0:1", "dlq 1:0", "dlq 1:1", "dlq 1:2");
        assertThat(recent.out()).contains(names.deadLetter() + ": 4 dead letter(s)");

        CliRun window = CliRun.of(dlqEnv(prefix), "dlq", "replay", "--origin", "requested", "--since", "2h",
                "--until", "30m", "--dry-run");
        assertThat(window.exitCode()).as(window.err()).isZero();
        assertThat(window.out()).contains("would replay dlq 0:1 ").contains("would replay dlq 1:0 ")
                .doesNotContain("dlq 0:0 ").doesNotContain("dlq 1:1 ")
                .contains("dry run: would replay 2 to " + names.requested() + "; skipped 0 truncated, 1 outside the "
                        + "selection, 1 from other topics, 0 from topics not of this deployment");

        CliRun typo = CliRun.of(dlqEnv(prefix), "dlq", "replay", "--origin", "requested", "--offsets", "0:0,1:5");
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.errLines()).singleElement().asString().contains("nothing replayed").contains("dlq 1:5")
                .doesNotContain("dlq 0:0");
        CliRun tooEarly = CliRun.of(dlqEnv(prefix), "dlq", "replay", "--origin", "requested", "--offsets", "0:0",
                "--since", "2h");
        assertThat(tooEarly.exitCode()).isEqualTo(1);
        assertThat(tooEarly.err()).contains("at or after").contains("dlq 0:0");
        assertThat(readAll(names.requested())).isEmpty();

        CliRun chosen = CliRun.of(dlqEnv(prefix), "dlq", "replay", "--origin", "requested", "--offsets", "0:0,1:1");
        assertThat(chosen.exitCode()).as(chosen.err()).isZero();
        // a partition is read from its lowest listed offset: 1:0 is not read at all, 0:1 is and is not chosen
        assertThat(chosen.out()).contains("replayed 2 to " + names.requested() + " in one transaction; skipped 0 "
                + "truncated, 1 outside the selection, 1 from other topics");
        List<ConsumerRecord<byte[], byte[]>> copies = readAll(names.requested());
        assertThat(copies).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("k-a", "k-d");
        // partitioned by key as the original producer's default partitioner did, not copied from the dead letter
        for (ConsumerRecord<byte[], byte[]> r : copies) {
            assertThat(r.partition()).isEqualTo(Utils.toPositive(Utils.murmur2(r.key())) % 2);
        }
    }

    private static ProducerRecord<byte[], byte[]> at(int partition, Instant timestamp,
                                                     ProducerRecord<byte[], byte[]> r) {
        return new ProducerRecord<>(r.topic(), partition, timestamp.toEpochMilli(), r.key(), r.value(), r.headers());
    }

    /** A dead letter as the worker writes one (the lifecycle's have the same headers). */
    private static ProducerRecord<byte[], byte[]> letter(String dlq, String origin, byte[] key, byte[] value) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(dlq, key, value);
        r.headers().add(DeadLetterHeaders.EXCEPTION, utf8("org.apache.kafka.common.errors.SerializationException"));
        r.headers().add(DeadLetterHeaders.MESSAGE, utf8("Unknown magic byte!"));
        r.headers().add(DeadLetterHeaders.TOPIC, utf8(origin));
        r.headers().add(DeadLetterHeaders.PARTITION, utf8("0"));
        r.headers().add(DeadLetterHeaders.OFFSET, utf8("0"));
        return r;
    }

    /** Every committed record of a topic, read to its current end, partition 0's first. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = KAFKA.consumer("unused", new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
            List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
            for (TopicPartition tp : tps) {
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long end = c.endOffsets(List.of(tp)).get(tp);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (c.position(tp) < end && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(100)).forEach(all::add);
                }
            }
            return all;
        }
    }
}
