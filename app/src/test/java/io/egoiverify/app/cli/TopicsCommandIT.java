package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.app.CliRun;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.testing.KafkaClusterExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code topics check} and {@code topics create} against a real broker: an empty cluster is reported topic by topic,
 * create keeps the partition count of the topics that exist and refuses another, makes the rest with the guide's
 * settings, and the real lifecycle then starts on them; a compacted command topic is an error again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicsCommandIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static Map<String, String> env(String prefix) {
        return Map.of("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(),
                "EGOI_VERIFY_TOPICS_PREFIX", prefix);
    }

    private static Map<String, String> runEnv(String prefix) throws Exception {
        Map<String, String> env = new HashMap<>(env(prefix));
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "mock://topics-it-" + prefix);
        env.put("EGOI_VERIFY_EGOI_BASE_URL", "http://127.0.0.1:9");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "topics-it-key");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", "topics-it-hmac-key-of-at-least-32-bytes-0123");
        env.put("EGOI_VERIFY_OPS_PORT", "0");
        env.put("EGOI_VERIFY_LIFECYCLE_APPLICATION_ID", prefix + "lifecycle");
        env.put("EGOI_VERIFY_KAFKA_STATE_DIR", Files.createTempDirectory("topics-it").toString());
        return env;
    }

    @Test
    void checkReportsAnEmptyClusterCreateMakesTheRestAndTheLifecycleStartsOnThem() throws Exception {
        String prefix = "t1.";
        TopicNames names = TopicNames.withPrefix(prefix);

        CliRun empty = CliRun.of(env(prefix), "topics", "check");
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.out().lines().filter(l -> l.startsWith("ERROR") && l.endsWith("missing (egoi-verify topics "
                + "create makes it)"))).hasSize(14);
        assertThat(empty.out()).contains("14 topics: 14 error(s), 0 warning(s)");

        KAFKA.createTopics(3, names.results());
        CliRun otherCount = CliRun.of(env(prefix), "topics", "create", "--partitions", "6");
        assertThat(otherCount.exitCode()).isEqualTo(2);
        assertThat(otherCount.err()).contains("--partitions 6").contains("have 3");

        CliRun dry = CliRun.of(env(prefix), "topics", "create", "--dry-run");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out().lines().filter(l -> l.startsWith("would create "))).hasSize(13)
                .allSatisfy(l -> assertThat(l).contains(": 3 partitions, the brokers' default replication"));
        assertThat(dry.out()).contains("would create " + names.commands() + ": 3 partitions, the brokers' default "
                + "replication, cleanup.policy=delete, retention.ms=3600000");
        assertThat(KAFKA.admin().listTopics().names().get(30, TimeUnit.SECONDS))
                .doesNotContain(names.requested(), names.commands());

        CliRun create = CliRun.of(env(prefix), "topics", "create");
        assertThat(create.exitCode()).as(create.out() + create.err()).isZero();
        assertThat(create.out()).contains("created 13 of 14 topics")
                .contains("WARN   all 14 topics: replication factor below 3")
                .contains("14 topics: 0 error(s), 1 warning(s)");
        Map<String, String> commands = configs(names.commands());
        assertThat(commands).containsEntry("retention.ms", "3600000").containsEntry("cleanup.policy", "delete");
        assertThat(configs(names.sent())).containsEntry("retention.ms", "604800000");
        assertThat(KAFKA.admin().describeTopics(List.of(names.requested(), names.sent())).allTopicNames()
                .get(30, TimeUnit.SECONDS).values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(3));

        // the real lifecycle accepts them: it starts and dead-letters an input that is not Avro
        try (KafkaProducer<byte[], byte[]> raw = KAFKA.producer(new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(names.requested(), bytes("r-1"), bytes("not avro")))
                    .get(30, TimeUnit.SECONDS);
        }
        CompletableFuture<Void> stop = new CompletableFuture<>();
        Map<String, String> run = runEnv(prefix);
        CompletableFuture<CliRun> lifecycle = CompletableFuture.supplyAsync(() -> CliRun.of(run,
                new ByteArrayInputStream(new byte[0]), stop, "run", "--role", "state"));
        await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters(prefix) == 1 || lifecycle.isDone());
        stop.complete(null);
        CliRun ran = lifecycle.get(60, TimeUnit.SECONDS);
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(deadLetters(prefix)).isEqualTo(1);

        KAFKA.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, names.commands()),
                List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        CliRun compacted = CliRun.of(env(prefix), "topics", "check");
        assertThat(compacted.exitCode()).isEqualTo(1);
        assertThat(compacted.out()).contains("ERROR  " + names.commands() + ": cleanup.policy compact")
                .contains("14 topics: 1 error(s), 1 warning(s)");

        CliRun again = CliRun.of(env(prefix), "topics", "create");
        assertThat(again.out()).contains("created 0 of 14 topics");
        assertThat(again.exitCode()).isEqualTo(1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> configs(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = KAFKA.admin().describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
        Map<String, String> m = new HashMap<>();
        c.entries().forEach(e -> m.put(e.name(), e.value()));
        return m;
    }

    /** The dead letters {@code dlq list} counts (read_committed). */
    private static int deadLetters(String prefix) {
        CliRun list = CliRun.of(env(prefix), "dlq", "list");
        Matcher m = Pattern.compile(": (\\d+) dead letter\\(s\\)").matcher(list.out());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
