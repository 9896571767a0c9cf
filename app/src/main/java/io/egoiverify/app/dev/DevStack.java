package io.egoiverify.app.dev;

import io.egoiverify.app.AppRuntime;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.Settings;
import io.egoiverify.app.ops.ShutdownSequence;
import io.egoiverify.schemas.registry.SchemaRegistryClients;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.SandboxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything on loopback in one process: an embedded KRaft broker, an in-memory schema registry, the E-goi sandbox,
 * the lifecycle topology and the command worker, plus a publisher and an outcome log for the prompt and the demo.
 */
public final class DevStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);
    private final EmbeddedKafka kafka;
    private final EgoiSandbox sandbox;
    private final AppConfig config;
    private final AppRuntime runtime;
    private final OutcomeReader reader;
    private final InputPublisher publisher;
    private final OutcomeLog outcomes;
    private final String registryScope;
    private final Path stateDir;
    private final ShutdownSequence shutdown;

    private DevStack(EmbeddedKafka kafka, EgoiSandbox sandbox, AppConfig config, AppRuntime runtime,
                     OutcomeReader reader, InputPublisher publisher, OutcomeLog outcomes, String registryScope,
                     Path stateDir) {
        this.kafka = kafka;
        this.sandbox = sandbox;
        this.config = config;
        this.runtime = runtime;
        this.reader = reader;
        this.publisher = publisher;
        this.outcomes = outcomes;
        this.registryScope = registryScope;
        this.stateDir = stateDir;
        this.shutdown = new ShutdownSequence(config.ops().shutdownTimeout());
        shutdown.then("outcome reader", 0.05, reader).then("publisher", 0.05, publisher);
        runtime.shutdownSequence(shutdown);
        shutdown.then("sandbox", 0.02, sandbox).then("broker", 0.2, kafka).then("registry scope", 0.01,
                () -> SchemaRegistryClients.dropMockScope(registryScope));
        shutdown.then("state dir", 0.02, () -> EmbeddedKafkaFiles.delete(stateDir));
    }

    /** Settings the dev mode implies; what the user set explicitly (file, environment, flags) wins. */
    public static Settings devDefaults(Settings s) {
        String origin = "dev mode";
        return s.withDefault("topics.partitions", "2", origin)
                .withDefault("profile.default.api-key", s.string("dev.api-key"), origin)
                .withDefault("profile.default.sender-hash", "dev-sender-hash", origin)
                .withDefault("profile.default.sender-id", SandboxOptions.DEFAULT_SENDER.id(), origin)
                .withDefault("lifecycle.min-ttl", "10s", origin)
                .withDefault("lifecycle.punctuation-interval", "100ms", origin)
                // a resend can be tried at the prompt and shown by the demo without waiting 30 s
                .withDefault("lifecycle.resend-cooldown", "5s", origin)
                .withDefault("ops.port", "18080", origin)
                .withDefault("worker.transactional-id", "egoi-verify-dev-worker", origin)
                .withDefault("worker.session-timeout", "6s", origin)
                // per-number limits on, as in production; a fresh key per run (the dev broker starts empty anyway)
                .withDefault("abuse.hmac-key", randomKey(), origin)
                .with("kafka.bootstrap.servers", "127.0.0.1:" + s.string("dev.kafka-port"), origin)
                .with("schema.registry.url", "mock://egoi-verify-dev", origin);
    }

    /** 48 random bytes, Base64: a valid {@code abuse.hmac-key} (64 bytes of text). */
    public static String randomKey() {
        byte[] b = new byte[48];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** Starts everything and waits until the lifecycle runs and the worker has joined (bounded). */
    public static DevStack start(AppConfig base, Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        Settings s = base.settings();
        EmbeddedKafka kafka = EmbeddedKafka.start(s.integer("dev.kafka-port", 0, 65_535), timeout);
        List<AutoCloseable> started = new ArrayList<>(List.of(kafka));
        try {
            // the sandbox accepts the key of every configured profile (dev.api-key unless set otherwise), no other
            Set<String> keys = new TreeSet<>(Set.of(s.string("dev.api-key")));
            base.profiles().all().forEach(p -> keys.add(p.apiKey()));
            EgoiSandbox sandbox = new EgoiSandbox(Clock.systemUTC(), SandboxOptions.defaults().withApiKeys(keys))
                    .start("127.0.0.1", s.integer("dev.sandbox-port", 0, 65_535));
            started.add(0, sandbox);
            Path stateDir = stateDir();
            String scope = "egoi-verify-dev-" + UUID.randomUUID();
            Settings actual = s.with("kafka.bootstrap.servers", kafka.bootstrapServers(), "dev mode")
                    .with("schema.registry.url", "mock://" + scope, "dev mode")
                    .with("egoi.base-url", sandbox.baseUrl(base.egoi().dialect()).toString(), "dev mode")
                    .with("kafka.state.dir", stateDir.toString(), "dev mode");
            AppConfig config = AppConfig.from(actual, Mode.DEV);
            createTopics(config);
            AppRuntime runtime = new AppRuntime(config, SchemaRegistryClients.fromConfig(
                    Map.of("schema.registry.url", config.serde().schemaRegistryUrl())));
            OutcomeLog outcomes = new OutcomeLog();
            OutcomeReader reader = new OutcomeReader(config.kafka(), runtime.topics(), true, outcomes).start();
            InputPublisher publisher = new InputPublisher(config.kafka(), runtime.topics(), Clock.systemUTC());
            DevStack stack = new DevStack(kafka, sandbox, config, runtime, reader, publisher, outcomes, scope,
                    stateDir);
            started.clear();
            try {
                KafkaNoise.quiet(KafkaNoise.STREAMS_CONFIG, () -> {
                    try {
                        runtime.start();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                stack.awaitReady(timeout);
            } catch (Exception e) {
                stack.close();
                throw e;
            }
            LOG.info("dev stack ready in {} ms", (System.nanoTime() - t0) / 1_000_000);
            return stack;
        } finally {
            for (AutoCloseable c : started) {
                c.close();
            }
        }
    }

    /**
     * The lifecycle's state directory for this run (deleted on close). Not under the OS temp directory, which Kafka
     * Streams warns about (the OS may clean it): under the user's cache directory, or the temp directory if that
     * cannot be written.
     */
    private static Path stateDir() throws IOException {
        try {
            Path cache = Files.createDirectories(Path.of(System.getProperty("user.home"), ".cache", "egoi-verify"));
            return Files.createTempDirectory(cache, "dev-state-");
        } catch (IOException | RuntimeException e) {
            LOG.debug("no state directory under the user's cache ({}); using the temp directory", e.toString());
            return Files.createTempDirectory("egoi-verify-dev-state-");
        }
    }

    private static void createTopics(AppConfig config) throws Exception {
        var names = config.topics();
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers",
                config.kafka().get("bootstrap.servers")))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : names.all().values()) {
                NewTopic t = new NewTopic(name, config.partitions(), config.replication());
                if (name.equals(names.commands()) || name.equals(names.deadLetter())) {
                    // codes, phone numbers and raw input bytes: keep them briefly
                    t.configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis())));
                }
                topics.add(t);
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            awaitTopics(admin, names.all().values(), Duration.ofSeconds(30));
        }
    }

    /**
     * Waits until every topic is visible in the broker's metadata: creation is acknowledged by the controller, and a
     * describe right after it can still miss a topic, which would make the lifecycle's co-partitioning check refuse.
     */
    public static void awaitTopics(Admin admin, Collection<String> names, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics not visible within " + timeout + ": " + e.getCause());
                }
                Thread.sleep(50);
            }
        }
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!runtime.isReady()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the dev stack did not become ready within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    public AppConfig config() {
        return config;
    }

    public AppRuntime runtime() {
        return runtime;
    }

    public EgoiSandbox sandbox() {
        return sandbox;
    }

    public InputPublisher publisher() {
        return publisher;
    }

    public OutcomeLog outcomes() {
        return outcomes;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public ShutdownSequence shutdown() {
        return shutdown;
    }

    @Override
    public void close() {
        shutdown.run();
    }
}
