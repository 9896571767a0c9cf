package io.egoiverify.e2e.stack;

import io.egoiverify.schemas.topics.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole product as separate local processes on loopback, without Docker: a KRaft Kafka broker, the Apicurio
 * schema registry, the E-goi sandbox, N lifecycle ({@code run --role state}) and M worker ({@code run --role worker})
 * instances of the shaded application jar. Used by {@code e2e/local-stack} and by the end-to-end and fault tests.
 *
 * <p>This class brings the stack up and down in order; the parts are {@link KafkaBrokerProcess},
 * {@link RegistryProcess}, {@link AppInstances} (sandbox, lifecycle and worker instances), {@link StackTopics} and
 * {@link StackReadiness} (probes, status, waits).
 *
 * <p>Process names: {@code broker}, {@code registry}, {@code sandbox}, {@code lifecycle-<i>}, {@code worker-<i>}
 * (1-based). Each has a PID file and a log under the stack directory; only processes whose command line carries this
 * stack's marker are ever stopped.
 */
public final class LocalStack implements AutoCloseable {
    public static final String CONFIG_FILE = "stack.properties";
    public static final String SANDBOX_API_KEY = "local-stack-api-key";
    public static final String SANDBOX_SENDER_HASH = "local-stack-sender";
    /** The sandbox's default active SMS sender (V2). */
    public static final String SANDBOX_SENDER_ID = "1";

    private final StackConfig config;
    private final KafkaBrokerProcess broker;
    private final RegistryProcess registry;
    private final StackTopics stackTopics;
    private final AppLauncher apps;
    private final StackReadiness readiness;
    private final AppInstances instances;

    public LocalStack(StackConfig config) {
        this.config = config;
        this.broker = new KafkaBrokerProcess(config);
        this.registry = new RegistryProcess(config);
        this.stackTopics = new StackTopics(config, topics());
        this.apps = new AppLauncher(config);
        ProcessNames names = new ProcessNames(config);
        this.readiness = new StackReadiness(config, broker, names);
        this.instances = new AppInstances(config, apps, names, readiness);
    }

    public record ProcessStatus(String name, Long pid, boolean alive, boolean ready, Path log) {
    }

    public StackConfig config() {
        return config;
    }

    public TopicNames topics() {
        return TopicNames.defaults();
    }

    /** Starts everything that is not already running, creates the topics and waits until every process is ready. */
    public void up() {
        Preflight.checkArtifacts(config);
        Preflight.checkPortsFree(config, name -> process(name).alive());
        saveConfig();
        startBroker();
        createTopics();
        startRegistry();
        registerSchemas();
        instances.startSandbox();
        for (int i = 1; i <= config.lifecycles(); i++) {
            startLifecycle(i, false);
        }
        for (int i = 1; i <= config.workers(); i++) {
            startWorker(i, false);
        }
        for (int i = 1; i <= config.lifecycles(); i++) {
            awaitReady(lifecycleName(i), AppInstances.START_TIMEOUT);
        }
        for (int i = 1; i <= config.workers(); i++) {
            awaitReady(workerName(i), AppInstances.START_TIMEOUT);
        }
        awaitAllReady(AppInstances.START_TIMEOUT);
    }

    /** Stops every process of this stack (applications first, the broker last). Returns the names stopped. */
    public List<String> down() {
        return instances.stopAll();
    }

    @Override
    public void close() {
        down();
    }

    // ---------------------------------------------------------------- state of the processes

    /** One line per process: name, PID, alive, ready, log. */
    public List<ProcessStatus> status() {
        return readiness.status();
    }

    /** "12 of 12 present, partitions [6]" when the broker answers; empty otherwise. */
    public Optional<String> topicSummary() {
        return isReady("broker") ? stackTopics.summary() : Optional.empty();
    }

    public ManagedProcess process(String name) {
        return readiness.process(name);
    }

    public boolean isReady(String name) {
        return readiness.isReady(name);
    }

    /** Waits until {@code name} is ready; fails fast, with its log tail, if the process exits. */
    public void awaitReady(String name, Duration timeout) {
        readiness.awaitReady(name, timeout);
    }

    /** Waits until every process is ready at the same moment (each instance that joins makes the others rebalance). */
    public void awaitAllReady(Duration timeout) {
        readiness.awaitAllReady(timeout);
    }

    // ---------------------------------------------------------------- broker, topics, registry

    public void startBroker() {
        if (!broker.process().alive()) {
            broker.start();
        }
        awaitReady("broker", KafkaBrokerProcess.startTimeout());
    }

    /** Graceful stop (SIGTERM): the broker writes a clean shutdown marker. */
    public void stopBroker() {
        broker.process().stop(Duration.ofSeconds(30));
    }

    public void killBroker() {
        broker.process().kill();
    }

    /** Creates every topic with the configured partition count (topics that exist are left as they are). */
    public void createTopics() {
        stackTopics.createTopics();
    }

    public Admin admin() {
        return stackTopics.admin();
    }

    public void startRegistry() {
        registry.start();
        awaitReady("registry", AppInstances.START_TIMEOUT);
    }

    /** Registers the bundled schemas with the application's {@code schemas register} (see {@link AppLauncher}). */
    public void registerSchemas() {
        apps.registerSchemas();
    }

    // ---------------------------------------------------------------- application instances

    public static String lifecycleName(int index) {
        return ProcessNames.lifecycle(index);
    }

    public static String workerName(int index) {
        return ProcessNames.worker(index);
    }

    public void startSandbox() {
        instances.startSandbox();
    }

    public void startLifecycle(int index, boolean await) {
        instances.startLifecycle(index, await);
    }

    public void startWorker(int index, boolean await) {
        instances.startWorker(index, await);
    }

    public void stopLifecycle(int index) {
        instances.stopLifecycle(index);
    }

    public void stopWorker(int index) {
        instances.stopWorker(index);
    }

    public void killLifecycle(int index) {
        instances.killLifecycle(index);
    }

    public void killWorker(int index) {
        instances.killWorker(index);
    }

    /**
     * A second pipeline beside the stack's own, on the same broker, registry and sandbox (see {@link TwinPipeline}):
     * its topics, schemas, and one lifecycle and one worker instance with {@code settings} on top of the stack's.
     */
    public TwinPipeline twin(String prefix, Map<String, String> settings) {
        return new TwinPipeline(config, prefix, settings, apps, instances, readiness);
    }

    /** Starts or stops (gracefully, highest index first) instances until the counts are reached. */
    public void scale(int lifecycles, int workers) {
        instances.scale(lifecycles, workers);
        saveConfig();
    }

    private void saveConfig() {
        StackConfigFile.save(config, config.stackDir().resolve(CONFIG_FILE));
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
