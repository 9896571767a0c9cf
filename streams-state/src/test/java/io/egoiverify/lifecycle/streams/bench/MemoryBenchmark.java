package io.egoiverify.lifecycle.streams.bench;

import static org.awaitility.Awaitility.await;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.schemas.topics.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Memory and restore time of one lifecycle instance as its state grows (streams-state/README.md, "Benchmark"; report:
 * streams-state/bench-results/rocksdb-memory/). Not a test: run by hand, one RocksDB setting per run.
 *
 * <p>This JVM runs the in-process broker (KafkaClusterTestKit), the producer of requests, an echo worker that answers
 * every send command with SENT (so that each verification is live: SENT, waiting for its code, 24 h TTL) and a
 * counter of VerificationSent. The lifecycle runs in a child JVM ({@link MemoryBenchInstance}) so that its RSS is its
 * own. For each size: fill until that many verifications are SENT, let it settle, sample; then stop the instance,
 * delete its state directory and start a new one (a fresh JVM) on the same application id, timing the restore from
 * the changelogs until RUNNING and until the status query answers for known ids; sample the restored instance; it
 * carries on to the next size.
 *
 * <p>System properties: {@code bench.rocksdbMb} (default 256; 0 = RocksDB's defaults), {@code bench.sizes} (default
 * {@code 0,250000,1000000}), {@code bench.partitions} (21), {@code bench.heap} (child -Xmx, 768m: half of the
 * Kubernetes manifest's 1536Mi limit, as its MaxRAMPercentage=50 gives), {@code bench.window} (requests produced
 * but not yet SENT, 10000), {@code bench.settleSeconds} (20), {@code bench.dir}, {@code bench.label} (suffix of the
 * report's name), {@code bench.restoreVariants} (';'-separated RocksDB variants, {@link RocksDbBenchSetter}: each
 * stage's restore is repeated once per variant, from the same changelogs, in a fresh JVM each; default one empty
 * variant, the setting of {@code bench.rocksdbMb} as the application applies it), {@code bench.fillVariant} (the
 * variant of the instance that takes the first fill; later stages are filled by the last restored instance).
 */
public final class MemoryBenchmark {
    private static final int PROBES = 50;
    private static final Duration STAGE_TIMEOUT = Duration.ofMinutes(Integer.getInteger("bench.stageMinutes", 30));
    private final int partitions = Integer.getInteger("bench.partitions", 21);
    private final int rocksDbMb = Integer.getInteger("bench.rocksdbMb", 256);
    private final int window = Integer.getInteger("bench.window", 10_000);
    private final int settleSeconds = Integer.getInteger("bench.settleSeconds", 20);
    private final String heap = System.getProperty("bench.heap", "768m");
    private final List<Long> sizes = Stream.of(System.getProperty("bench.sizes", "0,250000,1000000").split(","))
            .map(String::trim).map(Long::parseLong).toList();
    private final Path dir = Path.of(System.getProperty("bench.dir", Files.isDirectory(Path.of("streams-state"))
            ? "streams-state/target/bench/rocksdb-memory" : "target/bench/rocksdb-memory"));
    /** RocksDB variants ({@link RocksDbBenchSetter}) each restore of a stage is repeated with, ';'-separated. */
    private final List<String> variants = List.of(System.getProperty("bench.restoreVariants", "").split(";", -1));
    /** The RocksDB variant of the instance that takes the first fill (the default: none). */
    private final String fillVariant = System.getProperty("bench.fillVariant", "");
    private final String label = (rocksDbMb > 0 ? "bounded-" + rocksDbMb + "mb" : "unbounded")
            + (System.getProperty("bench.label", "").isBlank() ? "" : "-" + System.getProperty("bench.label"));
    private final Topics topics = MemoryBenchConfig.topics();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Map<String, Object> report = new LinkedHashMap<>();
    private final List<Map<String, Object>> stages = new ArrayList<>();
    private Path stateDir;
    private int children;

    private MemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        new MemoryBenchmark().run();
        System.exit(0); // lingering Kafka client threads would otherwise keep the JVM up
    }

    private void run() throws Exception {
        Files.createDirectories(dir);
        stateDir = Files.createTempDirectory("bench-memory-state");
        report.put("date", Instant.now().toString());
        report.put("config", label);
        report.put("rocksdbMb", rocksDbMb);
        report.put("partitions", partitions);
        report.put("childHeap", heap);
        report.put("sizes", sizes.toString());
        report.put("restoreVariants", variants);
        report.put("fillVariant", fillVariant);
        report.put("mallocArenaMax", String.valueOf(System.getenv("MALLOC_ARENA_MAX")));
        report.put("loadAverageAtStart", loadAverage());
        try (KafkaClusterTestKit kit = BenchBroker.start()) {
            measure(kit.bootstrapServers());
        } finally {
            report.put("stages", stages);
            report.put("loadAverageAtEnd", loadAverage());
            Files.writeString(dir.resolve(label + ".json"), LifecycleBenchmark.json(report) + "\n");
            System.out.println("report written to " + dir.resolve(label + ".json").toAbsolutePath());
            deleteTree(stateDir);
        }
    }

    private void measure(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(topics.names.all().values().stream()
                    .map(n -> new NewTopic(n, partitions, (short) 1)).toList()).all().get();
            List<Thread> helpers = List.of(new Thread(() -> echo(bootstrap), "bench-echo"),
                    new Thread(() -> count(bootstrap), "bench-counter"));
            helpers.forEach(Thread::start);
            Child child = Child.start(this, bootstrap, fillVariant);
            try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
                child.await("allAnswered", Duration.ofMinutes(5));
                long produced = 0;
                for (long size : sizes) {
                    Map<String, Object> stage = new LinkedHashMap<>();
                    stage.put("liveVerifications", size);
                    stages.add(stage);
                    long fillStart = System.nanoTime();
                    produced = fill(producer, produced, size, stage);
                    stage.put("fillSeconds", (System.nanoTime() - fillStart) / 1e9);
                    stage.put("sentTotal", sent.get());
                    stage.put("failedTotal", failed.get());
                    Thread.sleep(settleSeconds * 1000L); // a fixed pause before sampling: the measurement
                    stage.put("filled", samples(child));
                    stage.put("loadAverageFilled", loadAverage());
                    child.close();
                    stage.put("changelogs", changelogs(admin));
                    List<Map<String, Object>> restores = new ArrayList<>();
                    stage.put("restores", restores);
                    // every variant restores the same changelogs from scratch; the last one carries on
                    for (int v = 0; v < variants.size(); v++) {
                        if (v > 0) {
                            child.close();
                        }
                        deleteTree(stateDir);
                        Files.createDirectories(stateDir);
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("variant", variants.get(v));
                        r.put("loadAverageBefore", loadAverage());
                        restores.add(r);
                        child = Child.start(this, bootstrap, variants.get(v));
                        r.put("restore", restore(child));
                        r.put("loadAverageAfterRestore", loadAverage());
                        Thread.sleep(settleSeconds * 1000L); // a fixed pause before sampling: the measurement
                        r.put("restored", samples(child));
                        r.put("loadAverageRestored", loadAverage());
                        System.out.println("restore done: " + LifecycleBenchmark.json(r));
                        // written after each restore, so that an aborted run keeps what it measured
                        report.put("stages", stages);
                        Files.writeString(dir.resolve(label + ".json"), LifecycleBenchmark.json(report) + "\n");
                    }
                }
            } finally {
                child.close();
                stopping.set(true);
                for (Thread t : helpers) {
                    t.join(10_000);
                }
            }
        }
    }

    /** Produces requests until {@code size} verifications are SENT in all, with at most {@link #window} in flight. */
    private long fill(KafkaProducer<String, byte[]> producer, long produced, long size, Map<String, Object> stage)
            throws Exception {
        long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
        long p = produced;
        long nextReport = 0;
        while (sent.get() < size) {
            if (System.nanoTime() > nextReport) {
                System.out.printf("fill to %d: produced %d, commands answered %d, sent %d, failed %d%n", size, p,
                        echoed.get(), sent.get(), failed.get());
                nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            }
            // in flight: produced, neither SENT nor failed; a failed one (no verdict in time, seen while the instance
            // warms up) is replaced, so that the stage ends with exactly `size` SENT
            while (sent.get() + (p - sent.get() - failed.get()) < size && p - sent.get() - failed.get() < window) {
                String id = MemoryBenchConfig.requestId(p);
                producer.send(new ProducerRecord<>(topics.requested.name(), id, topics.requested.valueSerde()
                        .serializer().serialize(topics.requested.name(), Fixtures.request(id, Instant.now())
                                .setPhoneNumber(MemoryBenchConfig.number(p)).build())));
                p++;
            }
            producer.flush();
            if (System.nanoTime() > deadline) {
                stage.put("error", "fill timed out at " + sent.get() + " sent");
                throw new IllegalStateException("fill timed out at " + sent.get() + " sent of " + size);
            }
            Thread.sleep(100); // the pace at which the in-flight window is refilled, not a wait for a condition
        }
        stage.put("produced", p);
        return p;
    }

    private KafkaProducer<String, byte[]> producer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(i -> new TopicPartition(topic, i))
                .toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        return consumer;
    }

    /** The worker's part: every send command is answered SENT, so that the verification waits for its code. */
    private void echo(String bootstrap) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, topics.commands.name());
             KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            while (!stopping.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    VerificationCommand command = topics.commands.valueSerde().deserializer()
                            .deserialize(r.topic(), r.value());
                    if (command.getAction() instanceof SendCode) {
                        producer.send(new ProducerRecord<>(topics.results.name(), r.key(), topics.results
                                .valueSerde().serializer().serialize(topics.results.name(), Fixtures.result(
                                        command.getRequestId(), command.getCommandId(), CommandStatus.SENT,
                                        Instant.now()))));
                        echoed.incrementAndGet();
                    }
                }
            }
        }
    }

    /** Counts VerificationSent (live verifications) and VerificationFailed (there should be none). */
    private void count(String bootstrap) {
        try (KafkaConsumer<String, byte[]> sents = consumer(bootstrap, topics.sent.name());
             KafkaConsumer<String, byte[]> failures = consumer(bootstrap, topics.failed.name())) {
            while (!stopping.get()) {
                sent.addAndGet(sents.poll(Duration.ofMillis(100)).count());
                failed.addAndGet(failures.poll(Duration.ofMillis(1)).count());
            }
        }
    }

    private static Map<String, Object> samples(Child child) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sample", child.request("sample", "sample"));
        m.put("afterGc", child.request("gc", "gcSample"));
        return m;
    }

    /** The timings of a restore, from the events of the new child. */
    private Map<String, Object> restore(Child child) throws Exception {
        Map<String, Object> allAnswered = child.await("allAnswered", STAGE_TIMEOUT);
        // The probes may all answer shortly before the instance as a whole is RUNNING (seen: 0.2 s): wait for both.
        try {
            await("RUNNING").atMost(STAGE_TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> child.firstState("RUNNING") != null);
        } catch (ConditionTimeoutException e) {
            // reported below without the RUNNING figures, as a stage that never got there
        }
        Map<String, Object> m = new LinkedHashMap<>();
        long spawned = child.spawnedMs;
        long streamsStarted = ((Number) child.event("streamsStarted").get("atMs")).longValue();
        Map<String, Object> running = child.firstState("RUNNING");
        long answeredAt = ((Number) allAnswered.get("atMs")).longValue();
        m.put("spawnToStreamsStartedMs", streamsStarted - spawned);
        if (running != null) {
            long runningAt = ((Number) running.get("atMs")).longValue();
            m.put("streamsStartedToRunningMs", runningAt - streamsStarted);
            m.put("restoreConsumedAtRunning", running.get("restoreConsumed"));
            // CPU of the restoring JVM (all its threads) from Streams' start to RUNNING: less load-dependent than time
            Object cpuStart = child.event("streamsStarted").get("cpuMs");
            if (cpuStart instanceof Number c0 && running.get("cpuMs") instanceof Number c1) {
                m.put("cpuMsStreamsStartedToRunning", c1.longValue() - c0.longValue());
            }
        }
        m.put("streamsStartedToAllAnsweredMs", answeredAt - streamsStarted);
        m.put("spawnToAllAnsweredMs", answeredAt - spawned);
        m.put("probesFound", allAnswered.get("found"));
        m.put("probes", allAnswered.get("probes"));
        double consumed = ((Number) allAnswered.get("restoreConsumed")).doubleValue();
        m.put("restoreConsumedAtAllAnswered", consumed);
        double seconds = (answeredAt - streamsStarted) / 1000.0;
        m.put("recordsPerSecondStreamsStartedToAnswered", seconds > 0 ? consumed / seconds : 0);
        m.put("states", child.states());
        try {
            Map<String, Object> trace = child.await("restoreTrace", Duration.ofSeconds(30));
            trace.remove("event");
            m.put("trace", trace);
        } catch (IllegalStateException e) {
            m.put("trace", "none: " + e.getMessage());
        }
        return m;
    }

    /** End offsets of the changelog topics (records a restore from scratch reads, before compaction). */
    private Map<String, Object> changelogs(Admin admin) throws Exception {
        List<String> names = admin.listTopics().names().get().stream()
                .filter(n -> n.startsWith(MemoryBenchConfig.APPLICATION_ID) && n.endsWith("-changelog")).sorted()
                .toList();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (String n : names) {
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(n, p), OffsetSpec.latest());
            }
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
        Map<String, Object> m = new LinkedHashMap<>();
        long total = 0;
        for (String n : names) {
            long sum = ends.entrySet().stream().filter(e -> e.getKey().topic().equals(n))
                    .mapToLong(e -> e.getValue().offset()).sum();
            m.put(n, sum);
            total += sum;
        }
        m.put("total", total);
        return m;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A lifecycle instance in its own JVM, and the events it reported. */
    private static final class Child {
        final long spawnedMs;
        final Process process;
        final PrintWriter commands;
        final BlockingQueue<Map<String, Object>> events = new LinkedBlockingQueue<>();
        final List<Map<String, Object>> seen = new ArrayList<>();

        private Child(long spawnedMs, Process process) {
            this.spawnedMs = spawnedMs;
            this.process = process;
            this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        static Child start(MemoryBenchmark bench, String bootstrap, String variant) throws IOException {
            int n = ++bench.children;
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx" + bench.heap, "-XX:NativeMemoryTracking=summary",
                    "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                    MemoryBenchInstance.class.getName(), bootstrap, bench.stateDir.toString(),
                    Integer.toString(bench.rocksDbMb), IntStream.range(0, PROBES)
                            .mapToObj(i -> MemoryBenchConfig.requestId(i)).collect(Collectors.joining(",")),
                    variant));
            Path log = bench.dir.resolve(bench.label + "-child-" + n + ".log");
            long spawned = System.currentTimeMillis();
            Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Child child = new Child(spawned, process);
            Thread reader = new Thread(() -> child.read(log), "bench-child-" + n);
            reader.setDaemon(true);
            reader.start();
            return child;
        }

        private void read(Path log) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(log)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    out.write(line + "\n");
                    out.flush();
                    if (line.startsWith(MemoryBenchInstance.PREFIX)) {
                        events.add(MiniJson.parse(line.substring(MemoryBenchInstance.PREFIX.length())));
                    }
                }
            } catch (IOException e) {
                System.err.println("child output lost: " + e);
            }
        }

        /** Waits for the next event named {@code name}, keeping every event on the way. */
        synchronized Map<String, Object> await(String name, Duration timeout) throws Exception {
            Map<String, Object> known = event(name);
            if (known != null) {
                return known;
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Map<String, Object> e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new IllegalStateException("no " + name + " within " + timeout);
                }
                seen.add(e);
                if (name.equals(e.get("event"))) {
                    return e;
                }
            }
        }

        synchronized Map<String, Object> request(String command, String answer) throws Exception {
            seen.removeIf(e -> answer.equals(e.get("event")));
            commands.println(command);
            return await(answer, Duration.ofMinutes(2));
        }

        synchronized Map<String, Object> event(String name) {
            events.drainTo(seen);
            return seen.stream().filter(e -> name.equals(e.get("event"))).findFirst().orElse(null);
        }

        synchronized Map<String, Object> firstState(String state) {
            events.drainTo(seen);
            return seen.stream().filter(e -> "state".equals(e.get("event")) && state.equals(e.get("state")))
                    .findFirst().orElse(null);
        }

        synchronized String states() {
            events.drainTo(seen);
            return seen.stream().filter(e -> "state".equals(e.get("event")))
                    .map(e -> e.get("state") + "@" + (((Number) e.get("atMs")).longValue() - spawnedMs) + "ms")
                    .collect(Collectors.joining(" "));
        }

        void close() throws Exception {
            if (!process.isAlive()) {
                return;
            }
            commands.println("close");
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
