package io.egoiverify.e2e.stack;

import io.egoiverify.schemas.topics.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole product as separate local processes on loopback, without Docker: a KRaft Kafka broker, the Apicurio
 * schema registry, the E-goi sandbox, N lifecycle ({@code run --role state}) and M worker ({@code run --role worker})
 * instances of the shaded application jar. Used by {@code e2e/local-stack} and by the end-to-end and fault tests.
 *
 * <p>Process names: {@code broker}, {@code registry}, {@code sandbox}, {@code lifecycle-<i>}, {@code worker-<i>}
 * (1-based). Each has a PID file and a log under the stack directory; only processes whose command line carries this
 * stack's marker are ever stopped.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    public static final String CONFIG_FILE = "stack.properties";
    public static final String SANDBOX_API_KEY = "local-stack-api-key";
    public static final String SANDBOX_SENDER_HASH = "local-stack-sender";
    /** The sandbox's default active SMS sender (V2). */
    public static final String SANDBOX_SENDER_ID = "1";
    private static final Duration APP_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final StackConfig config;
    private final KafkaBrokerProcess broker;
    private final StackTopics stackTopics;
    private final AppLauncher apps;
    private final ProcessNames names;

    public LocalStack(StackConfig config) {
        this.config = config;
        this.broker = new KafkaBrokerProcess(config);
        this.stackTopics = new StackTopics(config, topics());
        this.apps = new AppLauncher(config);
        this.names = new ProcessNames(config);
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
        startSandbox();
        for (int i = 1; i <= config.lifecycles(); i++) {
            startLifecycle(i, false);
        }
        for (int i = 1; i <= config.workers(); i++) {
            startWorker(i, false);
        }
        for (int i = 1; i <= config.lifecycles(); i++) {
            awaitReady(lifecycleName(i), APP_START_TIMEOUT);
        }
        for (int i = 1; i <= config.workers(); i++) {
            awaitReady(workerName(i), APP_START_TIMEOUT);
        }
        awaitAllReady(APP_START_TIMEOUT);
    }

    /**
     * Waits until every process is ready at the same moment: each instance that joins makes the others rebalance, so
     * one being ready says little about the rest.
     */
    public void awaitAllReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<ProcessStatus> last = status();
        while (!last.stream().allMatch(p -> p.alive() && p.ready())) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("not all ready within " + timeout + ": " + last.stream()
                        .filter(p -> !(p.alive() && p.ready())).map(ProcessStatus::name).toList());
            }
            try {
                Thread.sleep(250); // polling probes, not waiting for Kafka
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            last = status();
        }
    }

    /** Stops every process of this stack (applications first, the broker last). Returns the names stopped. */
    public List<String> down() {
        List<String> stopped = new ArrayList<>();
        List<String> order = new ArrayList<>(names.started());
        order.sort((a, b) -> Integer.compare(ProcessNames.stopRank(a), ProcessNames.stopRank(b)));
        for (String name : order) {
            if (new ManagedProcess(name, config.stackDir()).stop(STOP_GRACE)) {
                stopped.add(name);
            }
        }
        return stopped;
    }

    @Override
    public void close() {
        down();
    }


    /** One line per process: name, PID, alive, ready, log. */
    public List<ProcessStatus> status() {
        List<ProcessStatus> out = new ArrayList<>();
        for (String name : names.expected()) {
            ManagedProcess process = new ManagedProcess(name, config.stackDir());
            Optional<Long> pid = process.pid();
            boolean ready = pid.isPresent() && probe(name).ready();
            out.add(new ProcessStatus(name, pid.orElse(null), pid.isPresent(), ready, process.logFile()));
        }
        return out;
    }


    /** "12 of 12 present, partitions [6]" when the broker answers; empty otherwise. */
    public Optional<String> topicSummary() {
        return isReady("broker") ? stackTopics.summary() : Optional.empty();
    }

    public record ProcessStatus(String name, Long pid, boolean alive, boolean ready, Path log) {
    }

    // ---------------------------------------------------------------- broker

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

    /** Registers the bundled schemas with the application's {@code schemas register} (see {@link AppLauncher}). */
    public void registerSchemas() {
        apps.registerSchemas();
    }



    // ---------------------------------------------------------------- registry and sandbox

    public void startRegistry() {
        ManagedProcess registry = process("registry");
        if (!registry.alive()) {
            List<String> command = new ArrayList<>();
            command.add(javaBinary());
            command.addAll(config.jvmOptions());
            command.add("-Dquarkus.http.host=" + StackConfig.HOST);
            command.add("-Dquarkus.http.port=" + config.ports().registry());
            command.add("-jar");
            command.add(config.registryJar().toString());
            registry.start(command, Map.of(), config.stackDir().resolve("registry"));
        }
        awaitReady("registry", APP_START_TIMEOUT);
    }


    public void startSandbox() {
        ManagedProcess sandbox = process("sandbox");
        if (!sandbox.alive()) {
            Map<String, String> settings = new TreeMap<>();
            settings.put("sandbox.host", StackConfig.HOST);
            settings.put("sandbox.port", Integer.toString(config.ports().sandbox()));
            settings.put("sandbox.api-key", SANDBOX_API_KEY);
            settings.put("ops.enabled", "false");
            apps.start(sandbox, List.of("sandbox"), settings);
        }
        awaitReady("sandbox", APP_START_TIMEOUT);
    }

    // ---------------------------------------------------------------- application instances

    public static String lifecycleName(int index) {
        return ProcessNames.lifecycle(index);
    }

    public static String workerName(int index) {
        return ProcessNames.worker(index);
    }

    public void startLifecycle(int index, boolean await) {
        ManagedProcess process = process(lifecycleName(index));
        if (!process.alive()) {
            apps.start(process, List.of("run", "--role", "state"), apps.appSettings(process.name(),
                    config.ports().lifecycleBase() + index));
        }
        if (await) {
            awaitReady(process.name(), APP_START_TIMEOUT);
        }
    }

    public void startWorker(int index, boolean await) {
        ManagedProcess process = process(workerName(index));
        if (!process.alive()) {
            apps.start(process, List.of("run", "--role", "worker"), apps.appSettings(process.name(),
                    config.ports().workerBase() + index));
        }
        if (await) {
            awaitReady(process.name(), APP_START_TIMEOUT);
        }
    }




    /** Starts or stops (gracefully, highest index first) instances until the counts are reached. */
    public void scale(int lifecycles, int workers) {
        scaleRole("lifecycle-", lifecycles, i -> startLifecycle(i, false), this::stopLifecycle);
        scaleRole("worker-", workers, i -> startWorker(i, false), this::stopWorker);
        for (int i = 1; i <= lifecycles; i++) {
            awaitReady(lifecycleName(i), APP_START_TIMEOUT);
        }
        for (int i = 1; i <= workers; i++) {
            awaitReady(workerName(i), APP_START_TIMEOUT);
        }
        saveConfig();
    }

    private void scaleRole(String prefix, int target, java.util.function.IntConsumer start,
                           java.util.function.IntConsumer stop) {
        for (int i = 1; i <= target; i++) {
            start.accept(i);
        }
        List<Integer> running = names.started().stream().filter(n -> n.startsWith(prefix))
                .map(n -> Integer.parseInt(n.substring(prefix.length()))).filter(i -> i > target)
                .sorted(java.util.Comparator.reverseOrder()).toList();
        running.forEach(stop::accept);
    }

    public void stopLifecycle(int index) {
        process(lifecycleName(index)).stop(STOP_GRACE);
    }

    public void stopWorker(int index) {
        process(workerName(index)).stop(STOP_GRACE);
    }

    public void killLifecycle(int index) {
        process(lifecycleName(index)).kill();
    }

    public void killWorker(int index) {
        process(workerName(index)).kill();
    }

    // ---------------------------------------------------------------- readiness and bookkeeping

    public ManagedProcess process(String name) {
        return new ManagedProcess(name, config.stackDir());
    }

    public boolean isReady(String name) {
        return process(name).alive() && probe(name).ready();
    }

    /** Waits until {@code name} is ready; fails fast, with its log tail, if the process exits. */
    public void awaitReady(String name, Duration timeout) {
        ManagedProcess process = process(name);
        Probe probe = probe(name);
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (!process.alive()) {
                throw new IllegalStateException(name + " exited during start; log " + process.logFile() + ":\n"
                        + process.tail(40));
            }
            if (probe.ready()) {
                LOG.info("{} ready", name);
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(name + " not ready within " + timeout + "; log "
                        + process.logFile() + ":\n" + process.tail(40));
            }
            try {
                Thread.sleep(200); // polling a probe, not waiting for Kafka
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    Probe probe(String name) {
        return name.equals("broker") ? broker.readiness() : Probe.forProcess(name, config.ports());
    }






    private void saveConfig() {
        StackConfigFile.save(config, config.stackDir().resolve(CONFIG_FILE));
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
