package io.egoiverify.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.egoiverify.app.cli.Registries;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.SettingsLoader;
import io.egoiverify.app.dev.DevStack;
import io.egoiverify.app.dev.EmbeddedKafka;
import io.egoiverify.app.ops.ShutdownSequence;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM during start-up: the stop sequence runs (on the JVM's shutdown hook) while {@link AppRuntime#start()} is
 * still creating components. Whatever the interleaving, no component may be started after the sequence has passed
 * it: a Kafka Streams instance or a worker started then would never be closed (the JVM halts after its hooks), so
 * the lifecycle would restore its state from the changelogs and the worker would hold its partitions until the
 * session timeout, possibly in the middle of an E-goi call.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AppRuntimeStopDuringStartIT {
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

    private static AppConfig config(String prefix, int opsPort) throws Exception {
        TopicNames names = TopicNames.withPrefix(prefix);
        try (Admin admin = admin()) {
            admin.createTopics(names.all().values().stream().map(n -> new NewTopic(n, 2, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
            DevStack.awaitTopics(admin, names.all().values(), Duration.ofSeconds(30));
        }
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_ROLE", "all");
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "mock://" + prefix + "registry");
        env.put("EGOI_VERIFY_EGOI_BASE_URL", sandbox.baseUrl(Dialect.V2).toString());
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "stop-it-key");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", "stop-it-hmac-key-of-at-least-32-bytes-0123");
        env.put("EGOI_VERIFY_TOPICS_PREFIX", prefix);
        env.put("EGOI_VERIFY_OPS_PORT", Integer.toString(opsPort));
        env.put("EGOI_VERIFY_LIFECYCLE_APPLICATION_ID", prefix + "lifecycle");
        env.put("EGOI_VERIFY_WORKER_GROUP_ID", prefix + "worker");
        env.put("EGOI_VERIFY_WORKER_TRANSACTIONAL_ID", prefix + "worker-1");
        env.put("EGOI_VERIFY_SHUTDOWN_TIMEOUT", "30s");
        env.put("EGOI_VERIFY_KAFKA_STATE_DIR", Files.createTempDirectory("stop-it").toString());
        return AppConfig.from(SettingsLoader.load(null, env, Map.of()), Mode.RUN);
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    /** The members the lifecycle's and the worker's groups have now (0 for a group that does not exist). */
    private static int members(String prefix) throws Exception {
        try (Admin admin = admin()) {
            List<String> ids = admin.listGroups().all().get(30, TimeUnit.SECONDS).stream().map(GroupListing::groupId)
                    .filter(id -> id.equals(prefix + "lifecycle") || id.equals(prefix + "worker")).toList();
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(ids).all()
                    .get(30, TimeUnit.SECONDS);
            return groups.values().stream().mapToInt(g -> g.members().size()).sum();
        }
    }

    /** Threads of a component that outlived the stop: Kafka Streams' (named after the application id) or the worker. */
    private static List<String> componentThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix + "lifecycle") || n.equals("command-worker-" + prefix + "worker-1"))
                .toList();
    }

    private static boolean answers(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + path)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aStopBeforeStartUpStartsNoComponent() throws Exception {
        String prefix = "before.";
        AppConfig config = config(prefix, 0);
        AppRuntime runtime = new AppRuntime(config, Registries.create(config.serde()));
        ShutdownSequence stop = runtime.shutdownSequence(new ShutdownSequence(config.ops().shutdownTimeout()));
        stop.run();

        assertThatThrownBy(runtime::start).isInstanceOf(AppRuntime.StartAborted.class);

        assertThat(runtime.opsPort()).as("no operations server bound").isEqualTo(-1);
        assertThat(componentThreads(prefix)).isEmpty();
        assertThat(members(prefix)).as("members of the lifecycle's and the worker's groups").isZero();
    }

    /**
     * The stop begins as soon as the process answers liveness, i.e. while the components are being created and
     * started. Where exactly start-up is then varies from run to run; the outcome may not.
     */
    @Test
    void aStopDuringStartUpLeavesNoComponentRunning() throws Exception {
        for (int round = 0; round < 3; round++) {
            String prefix = "during" + round + ".";
            int port = EmbeddedKafka.freePort();
            AppConfig config = config(prefix, port);
            AppRuntime runtime = new AppRuntime(config, Registries.create(config.serde()));
            ShutdownSequence stop = runtime.shutdownSequence(new ShutdownSequence(config.ops().shutdownTimeout()));
            CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
                try {
                    runtime.start();
                } catch (AppRuntime.StartAborted e) {
                    // the expected end when the stop came before the last component
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> answers(port, "/health/live") || started.isDone());
            stop.run();
            started.get(60, TimeUnit.SECONDS);

            // A component the stop missed keeps its threads and its group membership for good: waiting cannot hide it.
            int r = round;
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(componentThreads(prefix)).as("round %d", r).isEmpty();
                assertThat(members(prefix)).as("round %d: group members", r).isZero();
            });
        }
    }
}
