package io.egoiverify.e2e.stack;

import io.egoiverify.schemas.topics.TopicNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
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
    private static final Duration APP_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final StackConfig config;
    private final KafkaBrokerProcess broker;

    public LocalStack(StackConfig config) {
        this.config = config;
        this.broker = new KafkaBrokerProcess(config);
    }

    public StackConfig config() {
        return config;
    }

    public TopicNames topics() {
        return TopicNames.defaults();
    }

    /** Starts everything that is not already running, creates the topics and waits until every process is ready. */
    public void up() {
        checkArtifacts();
        checkPortsFree();
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
    }

    /** Stops every process of this stack (applications first, the broker last). Returns the names stopped. */
    public List<String> down() {
        List<String> stopped = new ArrayList<>();
        List<String> order = new ArrayList<>(knownProcessNames());
        order.sort((a, b) -> Integer.compare(stopRank(a), stopRank(b)));
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

    private static int stopRank(String name) {
        if (name.startsWith("worker-")) {
            return 0;
        }
        if (name.startsWith("lifecycle-")) {
            return 1;
        }
        return switch (name) {
            case "sandbox" -> 2;
            case "registry" -> 3;
            case "broker" -> 4;
            default -> 5;
        };
    }

    /** One line per process: name, PID, alive, ready, log. */
    public List<ProcessStatus> status() {
        List<ProcessStatus> out = new ArrayList<>();
        for (String name : expectedProcessNames()) {
            ManagedProcess process = new ManagedProcess(name, config.stackDir());
            Optional<Long> pid = process.pid();
            boolean ready = pid.isPresent() && probe(name).ready();
            out.add(new ProcessStatus(name, pid.orElse(null), pid.isPresent(), ready, process.logFile()));
        }
        return out;
    }

    /** "12 of 12 present, partitions {6}" when the broker answers; empty otherwise. */
    public Optional<String> topicSummary() {
        if (!isReady("broker")) {
            return Optional.empty();
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.ports().bootstrap());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(props)) {
            List<String> wanted = List.copyOf(topics().all().values());
            Set<String> existing = admin.listTopics().names().get(5, TimeUnit.SECONDS);
            List<String> present = wanted.stream().filter(existing::contains).toList();
            Set<Integer> counts = new java.util.TreeSet<>();
            admin.describeTopics(present).allTopicNames().get(5, TimeUnit.SECONDS)
                    .values().forEach(d -> counts.add(d.partitions().size()));
            return Optional.of(present.size() + " of " + wanted.size() + " present, partitions " + counts);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return Optional.of("cannot list (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
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
        try (Admin admin = admin()) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : topics().all().values()) {
                NewTopic topic = new NewTopic(name, config.partitions(), (short) 1);
                if (name.equals(topics().commands()) || name.equals(topics().deadLetter())) {
                    // Codes and phone numbers (commands) and raw input bytes (DLQ): keep them briefly.
                    topic.configs(Map.of("retention.ms", Long.toString(Duration.ofDays(1).toMillis())));
                }
                topics.add(topic);
            }
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create topics on " + config.ports().bootstrap(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.ports().bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(props);
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

    /**
     * Registers every schema under its subject with the application's own {@code schemas register} command, as a
     * deployment does before starting instances (production runs with {@code auto.register.schemas=false} for
     * inputs). It also keeps instances from racing to register the same subject at their first record, which the
     * Apicurio test registry answers with a 500.
     */
    public void registerSchemas() {
        Map<String, String> settings = new TreeMap<>();
        settings.put("schema.registry.url", config.ports().registryUrl());
        Path configFile = writeAppConfig("schemas", settings);
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(config.jvmOptions());
        command.addAll(List.of("-jar", config.appJar().toString(), "schemas", "register", "--config",
                configFile.toString()));
        Path log = config.stackDir().resolve("logs").resolve("schemas.log");
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            System.getenv().keySet().stream().filter(k -> k.startsWith("EGOI_VERIFY_"))
                    .forEach(builder.environment()::remove);
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("schemas register failed; log " + log + ":\n"
                        + Files.readString(log, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void startSandbox() {
        ManagedProcess sandbox = process("sandbox");
        if (!sandbox.alive()) {
            Map<String, String> settings = new TreeMap<>();
            settings.put("sandbox.host", StackConfig.HOST);
            settings.put("sandbox.port", Integer.toString(config.ports().sandbox()));
            settings.put("dev.api-key", SANDBOX_API_KEY);
            settings.put("ops.enabled", "false");
            startApp(sandbox, List.of("sandbox"), settings);
        }
        awaitReady("sandbox", APP_START_TIMEOUT);
    }

    // ---------------------------------------------------------------- application instances

    public static String lifecycleName(int index) {
        return "lifecycle-" + index;
    }

    public static String workerName(int index) {
        return "worker-" + index;
    }

    public void startLifecycle(int index, boolean await) {
        ManagedProcess process = process(lifecycleName(index));
        if (!process.alive()) {
            startApp(process, List.of("run", "--role", "state"), appSettings(process.name(),
                    config.ports().lifecycleBase() + index));
        }
        if (await) {
            awaitReady(process.name(), APP_START_TIMEOUT);
        }
    }

    public void startWorker(int index, boolean await) {
        ManagedProcess process = process(workerName(index));
        if (!process.alive()) {
            startApp(process, List.of("run", "--role", "worker"), appSettings(process.name(),
                    config.ports().workerBase() + index));
        }
        if (await) {
            awaitReady(process.name(), APP_START_TIMEOUT);
        }
    }

    /** The settings of one application instance; {@link StackConfig#appSettings()} overrides them. */
    Map<String, String> appSettings(String name, int opsPort) {
        Map<String, String> settings = new TreeMap<>();
        settings.put("kafka.bootstrap.servers", config.ports().bootstrap());
        settings.put("schema.registry.url", config.ports().registryUrl());
        settings.put("topics.partitions", Integer.toString(config.partitions()));
        settings.put("egoi.base-url", config.ports().sandboxUrl() + "/api/public");
        settings.put("profile.default.api-key", SANDBOX_API_KEY);
        settings.put("profile.default.sender-hash", SANDBOX_SENDER_HASH);
        settings.put("ops.host", StackConfig.HOST);
        settings.put("ops.port", Integer.toString(opsPort));
        if (name.startsWith("lifecycle-")) {
            // Two lifecycle instances on one host must not share Kafka Streams' default state directory.
            settings.put("kafka.state.dir", config.stackDir().resolve(name).resolve("streams-state").toString());
            // Fail-over well inside a TTL: Kafka Streams' own default session timeout is 45 s.
            settings.put("kafka.session.timeout.ms", "10000");
        } else {
            // Stable per instance, unique among live ones: the default (derived from the host name) would make the
            // workers of one host fence each other.
            settings.put("worker.transactional-id", "egoi-verify-" + name);
        }
        settings.putAll(config.appSettings());
        return settings;
    }

    private Path writeAppConfig(String name, Map<String, String> settings) {
        Path configFile = config.stackDir().resolve("config").resolve(name + ".properties");
        try {
            Files.createDirectories(configFile.getParent());
            StringBuilder text = new StringBuilder("# Written by e2e/local-stack for " + name + "\n");
            settings.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(configFile, text.toString(), StandardCharsets.UTF_8);
            return configFile;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startApp(ManagedProcess process, List<String> args, Map<String, String> settings) {
        Path dir = config.stackDir().resolve(process.name());
        Path configFile = writeAppConfig(process.name(), settings);
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(config.jvmOptions());
        command.add("-jar");
        command.add(config.appJar().toString());
        command.addAll(args);
        command.add("--config");
        command.add(configFile.toString());
        Map<String, String> env = new LinkedHashMap<>();
        // The application rejects unknown EGOI_VERIFY_* variables; the stack passes everything through its file.
        System.getenv().keySet().stream().filter(k -> k.startsWith("EGOI_VERIFY_")).forEach(k -> env.put(k, null));
        process.start(command, env, dir);
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
        List<Integer> running = knownProcessNames().stream().filter(n -> n.startsWith(prefix))
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
        StackConfig.Ports ports = config.ports();
        if (name.equals("broker")) {
            return broker.readiness();
        }
        if (name.equals("registry")) {
            return Probe.http(ports.registryUrl() + "/subjects");
        }
        if (name.equals("sandbox")) {
            return Probe.http(ports.sandboxUrl() + "/_sandbox/faults");
        }
        if (name.startsWith("lifecycle-")) {
            return Probe.http("http://" + StackConfig.HOST + ":"
                    + (ports.lifecycleBase() + Integer.parseInt(name.substring("lifecycle-".length()))) + "/health/ready");
        }
        if (name.startsWith("worker-")) {
            return Probe.http("http://" + StackConfig.HOST + ":"
                    + (ports.workerBase() + Integer.parseInt(name.substring("worker-".length()))) + "/health/ready");
        }
        return () -> true;
    }

    private List<String> expectedProcessNames() {
        Set<String> names = new java.util.LinkedHashSet<>();
        names.add("broker");
        names.add("registry");
        names.add("sandbox");
        for (int i = 1; i <= config.lifecycles(); i++) {
            names.add(lifecycleName(i));
        }
        for (int i = 1; i <= config.workers(); i++) {
            names.add(workerName(i));
        }
        names.addAll(knownProcessNames());
        return List.copyOf(names);
    }

    /** Names that have a PID file (including instances added after {@code up}, e.g. by scaling). */
    private List<String> knownProcessNames() {
        Path pids = config.stackDir().resolve("pids");
        if (!Files.isDirectory(pids)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(pids)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pid"))
                    .map(n -> n.substring(0, n.length() - ".pid".length())).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails before starting anything if a port a stopped process of this stack needs is taken by someone else. */
    private void checkPortsFree() {
        StackConfig.Ports p = config.ports();
        Map<String, List<Integer>> needs = new LinkedHashMap<>();
        needs.put("broker", List.of(p.broker(), p.controller()));
        needs.put("registry", List.of(p.registry()));
        needs.put("sandbox", List.of(p.sandbox()));
        for (int i = 1; i <= config.lifecycles(); i++) {
            needs.put(lifecycleName(i), List.of(p.lifecycleBase() + i));
        }
        for (int i = 1; i <= config.workers(); i++) {
            needs.put(workerName(i), List.of(p.workerBase() + i));
        }
        List<String> taken = new ArrayList<>();
        needs.forEach((name, ports) -> {
            if (!process(name).alive()) {
                for (int port : ports) {
                    try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
                        socket.bind(new java.net.InetSocketAddress(StackConfig.HOST, port));
                    } catch (IOException e) {
                        taken.add(port + " (" + name + ")");
                    }
                }
            }
        });
        if (!taken.isEmpty()) {
            throw new IllegalStateException("loopback port(s) already in use by another process: "
                    + String.join(", ", taken) + " (is `egoi-verify.jar dev` or another stack running?)");
        }
    }

    private void checkArtifacts() {
        require(config.appJar(), "the application jar; build it with: mvn -B -DskipTests package -pl worker -am");
        require(config.registryJar(), "the registry runner jar; build it with: mvn -B -DskipTests package -pl test-registry");
        require(config.stackLibs(), "the broker's jars; build them with: mvn -B -DskipTests package -pl e2e -am");
    }

    private static void require(Path path, String what) {
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " does not exist: it is " + what);
        }
    }

    private void saveConfig() {
        StackConfigFile.save(config, config.stackDir().resolve(CONFIG_FILE));
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
