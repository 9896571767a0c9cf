package io.egoiverify.e2e.support;

import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.e2e.client.SandboxClient;
import io.egoiverify.e2e.stack.LocalStack;
import io.egoiverify.e2e.stack.StackConfig;
import io.egoiverify.e2e.stack.TwinPipeline;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.registry.SchemaRegistryClients;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local stack (2 lifecycle, 2 worker instances, each its own JVM, plus broker, registry and sandbox processes)
 * shared by every e2e test class of a Failsafe run, with the clients the tests drive it through. Free ports, its own
 * state directory under {@code e2e/target/e2e-stacks}; stopped (by PID) when the run ends or the JVM exits.
 */
public final class E2eStack implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(E2eStack.class);
    public static final int PARTITIONS = 6;
    public static final int LIFECYCLES = 2;
    public static final int WORKERS = 2;
    /** {@code lifecycle.resend-cooldown} of the stack. */
    public static final Duration RESEND_COOLDOWN = Duration.ofSeconds(5);
    /**
     * A sender profile whose resend cooldown outlasts a CLI process's start on a loaded machine, so that the CLI round
     * trip's first resend is refused: a resend published by a fresh {@code java -jar} landed 7.4 s after the send at
     * load 8–17 (past the stack's 5 s), and 24 s after it at load 16 with three other builds running (past 20 s).
     */
    public static final String PATIENT_PROFILE = "patient";
    public static final Duration PATIENT_RESEND_COOLDOWN = Duration.ofSeconds(45);

    private final LocalStack stack;
    private final SchemaRegistryClient registry;
    private final Topics topics;
    private final Inputs inputs;
    private final OutcomeLog outcomes;
    private final SandboxClient sandbox;
    private final String runId = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private final AtomicLong phoneCounter = new AtomicLong(1_000_000);
    private final java.util.Queue<String> issuedNumbers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Thread shutdownHook;

    private E2eStack(LocalStack stack) {
        this.stack = stack;
        StackConfig.Ports ports = stack.config().ports();
        this.registry = SchemaRegistryClients.fromConfig(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL,
                ports.registryUrl()));
        this.topics = new Topics(TopicNames.defaults(), registry,
                new AvroSerdeConfig(ports.registryUrl(), null, true, false));
        this.inputs = new Inputs(ports.bootstrap(), topics);
        // The internal topics too: fault reports show a slow flow's commands and results (never its code).
        this.outcomes = new OutcomeLog(ports.bootstrap(), topics, true);
        this.sandbox = new SandboxClient(ports.sandboxUrl());
        this.shutdownHook = new Thread(stack::down, "e2e-stack-down");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a stack from the artifacts named by the Failsafe system properties (see e2e/pom.xml). */
    public static E2eStack start() {
        // one stack per test JVM (the pid keeps two JVMs started in the same millisecond apart)
        Path work = Path.of(System.getProperty("e2e.work.dir", "target/e2e-stacks"))
                .resolve("stack-" + System.currentTimeMillis() + "-" + ProcessHandle.current().pid());
        StackConfig config = new StackConfig(work, artifact("e2e.app.jar"),
                StackConfig.findRegistryJar(artifact("e2e.registry.dir")), artifact("e2e.stack.libs"),
                StackConfig.Ports.free(), LIFECYCLES, WORKERS, PARTITIONS, jvmOptions(), appSettings());
        LocalStack stack = new LocalStack(config);
        long started = System.currentTimeMillis();
        try {
            stack.up();
        } catch (RuntimeException e) {
            stack.down();
            throw e;
        }
        LOG.info("e2e stack up in {} ms: {}", System.currentTimeMillis() - started, work);
        E2eStack e2e = new E2eStack(stack);
        try {
            e2e.warmUp();
        } catch (RuntimeException | Error e) {
            e2e.close();
            throw e;
        }
        LOG.info("e2e stack flowing after {} ms", System.currentTimeMillis() - started);
        return e2e;
    }

    /**
     * Readiness endpoints say each process started; this proves the pipeline flows end to end on every partition
     * (and registers the schemas) before a test measures anything: one full verification per partition.
     */
    private void warmUp() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; ids.size() < PARTITIONS * 2; i++) {
            ids.add("warmup-" + runId + "-" + i);
        }
        for (String id : ids) {
            inputs.send(Inputs.request(id, nextPhoneNumber()).build());
        }
        inputs.flush();
        java.util.Set<String> answered = new java.util.HashSet<>();
        org.awaitility.Awaitility.await("warm-up verifications").atMost(java.time.Duration.ofSeconds(120))
                .pollInterval(java.time.Duration.ofMillis(200)).until(() -> {
                    for (String id : ids) {
                        if (!answered.contains(id) && !outcomes.events(id, topics.sent.name()).isEmpty()) {
                            var sent = (io.egoiverify.events.VerificationSent) outcomes.events(id,
                                    topics.sent.name()).get(0).value();
                            var code = sandbox.code(sent.getProviderRequestId());
                            if (code.isPresent()) {
                                inputs.send(Inputs.submission(id, id + "-s", code.get()));
                                answered.add(id);
                            }
                        }
                    }
                    return ids.stream().allMatch(id -> !outcomes.terminals(id).isEmpty());
                });
    }

    /** Short TTLs and quick punctuation so that expiry and fail-over fit in a CI run. */
    static Map<String, String> appSettings() {
        Map<String, String> s = new TreeMap<>();
        s.put("lifecycle.min-ttl", "10s");
        s.put("lifecycle.default-ttl", "20s");
        s.put("lifecycle.send-deadline", "30s");
        s.put("lifecycle.result-grace", "5s");
        s.put("lifecycle.retention", "5m");
        s.put("lifecycle.punctuation-interval", "200ms");
        s.put("lifecycle.standby-replicas", "1");
        // A resend's cooldown a test can wait out (30 s by default); long enough that a resend sent as soon as
        // VerificationSent is read is still refused COOLDOWN on a loaded CI machine.
        s.put("lifecycle.resend-cooldown", RESEND_COOLDOWN.toSeconds() + "s");
        String patient = "profile." + PATIENT_PROFILE + ".";
        s.put(patient + "api-key", LocalStack.SANDBOX_API_KEY);
        s.put(patient + "sender-id", LocalStack.SANDBOX_SENDER_ID);
        s.put(patient + "sender-hash", LocalStack.SANDBOX_SENDER_HASH);
        s.put(patient + "resend-cooldown", PATIENT_RESEND_COOLDOWN.toSeconds() + "s");
        s.put("log.level", "INFO");
        return s;
    }

    private static List<String> jvmOptions() {
        String custom = System.getProperty("e2e.jvm.options", "").trim();
        return custom.isEmpty() ? List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xss512k", "-XX:CICompilerCount=1") : List.of(custom.split("\\s+"));
    }

    private static Path artifact(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run the e2e tests through "
                    + "Failsafe (mvn verify from the repository root builds the jars they start)");
        }
        Path path = Path.of(value);
        if (!Files.exists(path)) {
            throw new IllegalStateException(property + "=" + value + " does not exist: build it first "
                    + "(mvn -B -DskipTests package -pl e2e -am)");
        }
        return path;
    }

    public LocalStack stack() {
        return stack;
    }

    public Topics topics() {
        return topics;
    }

    public Inputs inputs() {
        return inputs;
    }

    public OutcomeLog outcomes() {
        return outcomes;
    }

    public SandboxClient sandbox() {
        return sandbox;
    }

    /**
     * A twin pipeline beside the stack's own (see {@link TwinPipeline}: topics under {@code prefix}, one lifecycle and
     * one worker instance with {@code settings} on top of the stack's), started and ready, with its own inputs and
     * outcome log. Close it before anything scales the stack.
     */
    public Twin twin(String prefix, Map<String, String> settings) {
        TwinPipeline pipeline = stack.twin(prefix, settings);
        long started = System.currentTimeMillis();
        pipeline.up();
        LOG.info("twin pipeline {} up in {} ms", prefix, System.currentTimeMillis() - started);
        Topics twinTopics = new Topics(pipeline.topics(), registry,
                new AvroSerdeConfig(stack.config().ports().registryUrl(), null, true, false));
        return new Twin(pipeline, twinTopics, new Inputs(stack.config().ports().bootstrap(), twinTopics),
                new OutcomeLog(stack.config().ports().bootstrap(), twinTopics));
    }

    /** A started twin pipeline and the clients that drive it. */
    public record Twin(TwinPipeline pipeline, Topics topics, Inputs inputs, OutcomeLog outcomes)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                outcomes.close();
                inputs.close();
            } finally {
                pipeline.down();
            }
        }
    }

    /** Distinguishes this run's requestIds from those of another run reading the same topics. */
    public String runId() {
        return runId;
    }

    /** A valid Portuguese mobile number nobody else in this run uses. */
    public String nextPhoneNumber() {
        String number = "+35191" + phoneCounter.getAndIncrement();
        issuedNumbers.add(number);
        return number;
    }

    /** Every phone number handed out so far (to prove none reaches a process log). */
    public List<String> issuedNumbers() {
        return List.copyOf(issuedNumbers);
    }

    /** Where scenario reports go (e2e/target/e2e-reports). */
    public Path reportDir() {
        return Path.of(System.getProperty("e2e.work.dir", "target/e2e-stacks")).resolveSibling("e2e-reports");
    }

    @Override
    public void close() {
        try {
            outcomes.close();
            inputs.close();
            registry.close();
        } finally {
            stack.down();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }
}
