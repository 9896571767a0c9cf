package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.CliRun;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.testing.KafkaClusterExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production commands against a broker whose ACLs refuse them one operation: each ends with exit code 1 and says
 * why, instead of running on without doing its work.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class AclRefusalIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension().withAuthorizer();

    private static TopicNames topics(String prefix) {
        TopicNames names = TopicNames.withPrefix(prefix);
        KAFKA.createTopics(2, names.all().values().toArray(String[]::new));
        return names;
    }

    private static Map<String, String> env(String prefix) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "mock://acl-it-" + prefix);
        // never called: the refused command is one that needs no E-goi call
        env.put("EGOI_VERIFY_EGOI_BASE_URL", "http://127.0.0.1:9");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "acl-it-key");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", "acl-it-hmac-key-of-at-least-32-bytes-01234");
        env.put("EGOI_VERIFY_TOPICS_PREFIX", prefix);
        env.put("EGOI_VERIFY_OPS_PORT", "0");
        env.put("EGOI_VERIFY_LIFECYCLE_APPLICATION_ID", prefix + "lifecycle");
        env.put("EGOI_VERIFY_WORKER_GROUP_ID", prefix + "worker");
        env.put("EGOI_VERIFY_WORKER_TRANSACTIONAL_ID", prefix + "worker-1");
        env.put("EGOI_VERIFY_KAFKA_STATE_DIR", Files.createTempDirectory("acl-it").toString());
        return env;
    }

    private static CompletableFuture<CliRun> run(Map<String, String> env, String... args) {
        return CompletableFuture.supplyAsync(() -> CliRun.of(env, new ByteArrayInputStream(new byte[0]),
                new CompletableFuture<>(), args));
    }

    @Test
    void tailRefusedReadOnAnOutcomeTopicEndsWithExitCode1AndTheCause() throws Exception {
        TopicNames names = topics("t1.");
        KAFKA.deny(ResourceType.TOPIC, names.verified(), AclOperation.READ);
        CliRun tail = run(env("t1."), "tail").get(60, TimeUnit.SECONDS);
        assertThat(tail.exitCode()).as(tail.err()).isEqualTo(1);
        assertThat(tail.err()).contains("error: the outcome reader stopped: ")
                .contains("TopicAuthorizationException: Not authorized to access topics: [" + names.verified() + "]");
    }

    @Test
    void tailRefusedEvenTheTopicsMetadataEndsWithExitCode1AndTheCause() throws Exception {
        TopicNames names = topics("t2.");
        KAFKA.deny(ResourceType.TOPIC, names.expired(), AclOperation.DESCRIBE);
        CliRun tail = run(env("t2."), "tail").get(60, TimeUnit.SECONDS);
        assertThat(tail.exitCode()).as(tail.err()).isEqualTo(1);
        assertThat(tail.errLines()).hasSize(1);
        assertThat(tail.err()).startsWith("error: ")
                .contains("TopicAuthorizationException: Not authorized to access topics: [" + names.expired() + "]");
    }

    @Test
    void runWhoseWorkerIsRefusedTheDeadLetterTopicExitsWithCode1() throws Exception {
        TopicNames names = topics("w.");
        KAFKA.deny(ResourceType.TOPIC, names.deadLetter(), AclOperation.WRITE);
        // a command without a key cannot be read: the worker's only answer is a dead letter
        try (KafkaProducer<byte[], byte[]> raw = KAFKA.producer(new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(names.commands(), null, "no key".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }
        CliRun ran = run(env("w."), "run", "--role", "worker").get(90, TimeUnit.SECONDS);
        assertThat(ran.exitCode()).as(ran.err()).isEqualTo(1);
        assertThat(ran.err()).contains("error: the command worker stopped on its own");
    }

    @Test
    void runWhoseLifecycleIsRefusedAnInputTopicExitsWithCode1() throws Exception {
        TopicNames names = topics("s.");
        KAFKA.deny(ResourceType.TOPIC, names.requested(), AclOperation.READ);
        CliRun ran = run(env("s."), "run", "--role", "state").get(90, TimeUnit.SECONDS);
        assertThat(ran.exitCode()).as(ran.err()).isEqualTo(1);
        assertThat(ran.err()).contains("error: the lifecycle (Kafka Streams) entered its error state");
    }
}
