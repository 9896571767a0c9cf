package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.app.CliRun;
import io.egoiverify.app.dev.DevStack;
import io.egoiverify.app.dev.EmbeddedKafka;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The production commands in-process against a real broker: {@code run --role all} becomes ready, {@code publish}
 * drives a verification to its end, {@code tail} prints the outcomes, and the stop signal (SIGTERM's stand-in) ends
 * {@code run} with exit code 0. A cluster whose topics are not co-partitioned is refused in one line.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RunCommandIT {
    private static EmbeddedKafka kafka;
    private static EgoiSandbox sandbox;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(0, Duration.ofSeconds(60));
        sandbox = new EgoiSandbox().start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void createTopics(TopicNames names, int partitions, String oddOne) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(names.all().values().stream()
                    .map(n -> new NewTopic(n, n.equals(oddOne) ? partitions + 1 : partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
            DevStack.awaitTopics(admin, names.all().values(), Duration.ofSeconds(30));
        }
    }

    private static Map<String, String> env(String prefix, int opsPort) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "mock://run-it-" + prefix);
        env.put("EGOI_VERIFY_EGOI_BASE_URL", sandbox.baseUrl(Dialect.V2).toString());
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "run-it-key");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", "run-it-hmac-key-of-at-least-32-bytes-0123");
        env.put("EGOI_VERIFY_TOPICS_PREFIX", prefix);
        env.put("EGOI_VERIFY_OPS_PORT", Integer.toString(opsPort));
        env.put("EGOI_VERIFY_LIFECYCLE_APPLICATION_ID", prefix + "lifecycle");
        env.put("EGOI_VERIFY_WORKER_GROUP_ID", prefix + "worker");
        env.put("EGOI_VERIFY_WORKER_TRANSACTIONAL_ID", prefix + "worker-1");
        env.put("EGOI_VERIFY_KAFKA_STATE_DIR", java.nio.file.Files.createTempDirectory("run-it").toString());
        return env;
    }

    private static ByteArrayInputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null;
        }
    }

    private static int status(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void runPublishTailAndStopGracefully() throws Exception {
        createTopics(TopicNames.withPrefix("a."), 2, null);
        int port = EmbeddedKafka.freePort();
        Map<String, String> env = env("a.", port);
        CompletableFuture<Void> stopRun = new CompletableFuture<>();
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of(env,
                new ByteArrayInputStream(new byte[0]), stopRun, "run", "--role", "all"));
        AtomicReference<String> firstReady = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            HttpResponse<String> r = get(port, "/health/ready");
            if (r != null && r.statusCode() == 200) {
                firstReady.set(r.body());
                return true;
            }
            return run.isDone();
        });
        assertThat(run.isDone()).as(() -> run.join().err()).isFalse();
        // the first 2xx already means Streams RUNNING and the worker joined: nothing is "ready" on start-up alone
        assertThat(firstReady.get()).contains("\"startup\":{\"status\":\"UP\"")
                .contains("\"lifecycle\":{\"status\":\"UP\",\"detail\":\"RUNNING\"}")
                .contains("\"worker\":{\"status\":\"UP\",\"detail\":\"joined group");

        CompletableFuture<Void> stopTail = new CompletableFuture<>();
        CompletableFuture<CliRun> tail = CompletableFuture.supplyAsync(() -> CliRun.of(env,
                new ByteArrayInputStream(new byte[0]), stopTail, "tail", "--from-beginning"));

        // The number and the code from standard input ("-"): out of the process list and the shell history.
        CliRun published = CliRun.of(env, stdin("+351910000071\n"), "publish", "request", "-r", "run-1", "-p", "-");
        assertThat(published.exitCode()).as(published.err()).isZero();
        // submit only once SENT is out: before it, the lifecycle rightly answers NOT_SENT_YET
        await().atMost(Duration.ofSeconds(30)).until(() -> seen("a.verification.sent"));
        CliRun submitted = CliRun.of(env, stdin(sandbox.lastCode("351-910000071").orElseThrow() + "\n"), "publish",
                "submit", "-r", "run-1", "-c", "-");
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        CliRun nothing = CliRun.of(env, "publish", "submit", "-r", "run-1", "-c", "-");
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(nothing.err()).contains("expected the code on standard input");

        // tail prints both outcomes; stop it once they are there (its output is only readable after it ends)
        boolean verified;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> seen("a.verification.verified"));
            // A resend after the end is refused NOT_ACTIVE, on its own outcome topic, which tail follows too.
            CliRun resent = CliRun.of(env, "publish", "resend", "-r", "run-1", "--reason", "no SMS");
            assertThat(resent.exitCode()).as(resent.err()).isZero();
            assertThat(resent.out()).contains("published VerificationResendRequested run-1");
            await().atMost(Duration.ofSeconds(30)).until(() -> seen("a.verification.resend-rejected"));
            verified = true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            verified = false;
        }
        stopTail.complete(null);
        CliRun tailed = tail.get(30, TimeUnit.SECONDS);
        assertThat(verified).as("VERIFIED and ResendRejected published; tail saw:%n%s", tailed.out()).isTrue();
        assertThat(tailed.exitCode()).isZero();
        assertThat(tailed.out()).contains("SENT").contains("code 1 to").contains("VERIFIED").contains("run-1")
                .contains("RESEND_REJECTED(NOT_ACTIVE)").doesNotContain("910000071");

        stopRun.complete(null);
        CliRun ran = run.get(60, TimeUnit.SECONDS);
        assertThat(ran.exitCode()).as(ran.err()).isZero();
    }

    /**
     * kafka.group.protocol=consumer (KIP-848, as the settings once advertised it) reaches Kafka Streams too, which
     * accepts only classic or streams: the lifecycle refused to start. It leaves the setting out (the worker uses
     * it: the dev broker is formatted with the release's production features), and the process becomes ready.
     */
    @Test
    void aConsumerGroupProtocolSettingDoesNotStopTheLifecycle() throws Exception {
        createTopics(TopicNames.withPrefix("k."), 2, null);
        int port = EmbeddedKafka.freePort();
        Map<String, String> env = env("k.", port);
        env.put("EGOI_VERIFY_KAFKA_GROUP_PROTOCOL", "consumer");
        CompletableFuture<Void> stopRun = new CompletableFuture<>();
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of(env,
                new ByteArrayInputStream(new byte[0]), stopRun, "run", "--role", "all"));
        await().atMost(Duration.ofSeconds(60)).until(() -> status(port, "/health/ready") == 200 || run.isDone());
        assertThat(run.isDone()).as(() -> run.join().err()).isFalse();
        stopRun.complete(null);
        CliRun ran = run.get(60, TimeUnit.SECONDS);
        assertThat(ran.exitCode()).as(ran.err()).isZero();
    }

    /** Whether {@code topic} has a committed record (tail's output is only readable after it ends). */
    private static boolean seen(String topic) {
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(), "isolation.level", "read_committed"),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            return !consumer.poll(Duration.ofMillis(500)).isEmpty();
        }
    }

    @Test
    void topicsThatAreNotCoPartitionedAreRefusedInOneLine() throws Exception {
        TopicNames names = TopicNames.withPrefix("b.");
        createTopics(names, 2, names.commands());
        CliRun run = CliRun.of(env("b.", 0), "run", "--role", "state");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).startsWith("error: ").contains("b.verification.internal.commands");
    }

    @Test
    void aWorkerFencedByANewerInstanceStopsTheProcessWithExitCode1() throws Exception {
        createTopics(TopicNames.withPrefix("c."), 2, null);
        int port = EmbeddedKafka.freePort();
        Map<String, String> env = env("c.", port);
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of(env,
                new ByteArrayInputStream(new byte[0]), new CompletableFuture<>(), "run", "--role", "all"));
        await().atMost(Duration.ofSeconds(60)).until(() -> status(port, "/health/ready") == 200 || run.isDone());
        assertThat(run.isDone()).as(() -> run.join().err()).isFalse();

        // A second instance started with the same transactional.id (a copy-pasted deployment) fences this one.
        try (KafkaProducer<byte[], byte[]> newer = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers(), "transactional.id", "c.worker-1"), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            newer.initTransactions();
        }
        CliRun published = CliRun.of(env, "publish", "request", "-r", "fenced-1", "-p", "+351910000072");
        assertThat(published.exitCode()).as(published.err()).isZero();

        CliRun ran = run.get(60, TimeUnit.SECONDS);
        assertThat(ran.exitCode()).as(ran.err()).isEqualTo(1);
        assertThat(ran.err()).contains("error: the command worker stopped on its own");
    }

    @Test
    void tailWithAPrefixTheClusterDoesNotHaveSaysWhichTopicsAreMissing() throws Exception {
        CliRun tail = CliRun.of(env("nothing-here.", 0), "tail");
        assertThat(tail.exitCode()).as(tail.err()).isEqualTo(1);
        assertThat(tail.err()).contains("error: outcome topics missing: nothing-here.verification.")
                .contains("is topics.prefix right?");
    }
}
