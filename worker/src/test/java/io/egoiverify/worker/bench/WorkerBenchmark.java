package io.egoiverify.worker.bench;

import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.testing.KafkaClusterExtension;
import io.egoiverify.worker.command.CommandWorker;
import io.egoiverify.worker.command.WorkerConfig;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.Faults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Throughput and latency overhead of one CommandWorker with 100 ms provider latency, against a naive sequential
 * consumer (poll → blocking call → produce) in the same run. Broker, sandbox and worker share this machine's cores.
 * Not a test: run it on purpose (see worker/README.md) and read the report it writes.
 *
 * <p>Arguments: {@code [reportDir] [commands] [partitions]} (defaults {@code worker/target/bench 30000 8}).
 */
public final class WorkerBenchmark {
    static final Duration PROVIDER_LATENCY = Duration.ofMillis(100);
    static final SenderProfiles PROFILES = SenderProfiles.of(new SenderProfile("default", "bench-key", "bench"));

    public static void main(String[] args) throws Exception {
        Path reportDir = Path.of(args.length > 0 ? args[0] : "worker/target/bench");
        int commands = args.length > 1 ? Integer.parseInt(args[1]) : 30_000;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBootstrapMetadataVersion(MetadataVersion.latestProduction()).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        KafkaClusterExtension.defaultBrokerProperties().forEach(builder::setConfigProp);
        try (KafkaClusterTestKit kafka = builder.build();
             EgoiSandbox sandbox = new EgoiSandbox().start("127.0.0.1", 0);
             EgoiClient client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, sandbox.baseUrl(Dialect.GUIDE))
                     .withMaxConnections(2048))) {
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            sandbox.setFaults(Faults.latency(PROVIDER_LATENCY));
            new WorkerBenchmark(kafka.bootstrapServers(), sandbox, client, partitions).run(commands, reportDir);
        }
        System.exit(0); // the broker kit leaves non-daemon threads behind
    }

    private final String bootstrap;
    private final EgoiSandbox sandbox;
    private final EgoiClient client;
    private final int partitions;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private volatile int resultsSeen;

    WorkerBenchmark(String bootstrap, EgoiSandbox sandbox, EgoiClient client, int partitions) {
        this.bootstrap = bootstrap;
        this.sandbox = sandbox;
        this.client = client;
        this.partitions = partitions;
    }

    /** {@code -Dbench.phases=http,worker,pc,latency,naive} (default all) runs only the phases named. */
    private static boolean phase(String name) {
        String phases = System.getProperty("bench.phases", "http,worker,pc,latency,naive");
        return List.of(phases.split(",")).contains(name);
    }

    void run(int commands, Path reportDir) throws Exception {
        // (0) the HTTP ceiling: client + sandbox alone, 1000 calls in flight, no Kafka
        double httpRate = phase("http") ? httpOnly(Math.min(commands, 20_000), 1000) : -1;
        System.out.printf(Locale.ROOT, "http only: %.0f calls/s%n", httpRate);
        double seconds = -1;
        double workerRate = -1;
        if (phase("worker")) {
            double[] w = workerPhase(commands);
            seconds = w[0];
            workerRate = w[1];
        }
        WorkerBenchReport.PcFigures pcFigures = phase("pc") ? pcPhase(commands) : WorkerBenchReport.PcFigures.skipped();
        List<Long> sorted = new ArrayList<>();
        int rate = 1000;
        int latencyCommands = 5000;
        if (phase("latency")) {
            sorted = latencyPhase(rate, latencyCommands);
        }
        int naiveDone = -1;
        Duration naiveWindow = Duration.ofSeconds(15);
        double naiveRate = -1;
        if (phase("naive")) {
            // (3) naive sequential consumer on the same broker and sandbox, for a fixed time
            Topics t3 = topics("naive");
            produce(t3, 2000, 0, 0);
            naiveDone = naive(t3, naiveWindow);
            naiveRate = naiveDone / (double) naiveWindow.toSeconds();
            System.out.printf(Locale.ROOT, "naive: %d in %d s = %.1f commands/s%n", naiveDone,
                    naiveWindow.toSeconds(), naiveRate);
        }

        WorkerBenchReport report = new WorkerBenchReport(Instant.now(), Runtime.getRuntime().availableProcessors(), partitions, httpRate,
                commands,
                seconds, workerRate, latencyCommands, rate, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99),
                sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1), naiveDone, naiveWindow.toSeconds(), naiveRate,
                sandbox.sendCallsByNumber().size(), pcFigures);
        report.write(reportDir);
    }

    /** (1b) the same backlog drained by parallel-consumer 0.5.3.3 with the worker's concurrency. */
    private WorkerBenchReport.PcFigures pcPhase(int commands) throws Exception {
        String modeName = System.getProperty("bench.pc.commitMode", "PERIODIC_TRANSACTIONAL_PRODUCER");
        var mode = io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode.valueOf(modeName);
        sandbox.reset();
        sandbox.setFaults(Faults.latency(PROVIDER_LATENCY));
        Topics t = topics("pc");
        produce(t, commands, 0, 0);
        ParallelConsumerPhase pc;
        try {
            pc = new ParallelConsumerPhase(bootstrap, t, client, PROFILES.find("default").orElseThrow(),
                    WorkerConfig.of(bootstrap, "x", t.names).flow().maxInFlight(), mode, "bench-pc");
        } catch (RuntimeException | LinkageError e) {
            e.printStackTrace();
            return WorkerBenchReport.PcFigures.failed(modeName, "construction: " + describe(e));
        }
        try {
            if (!pc.awaitAssigned(Duration.ofSeconds(60))) {
                Throwable cause = pc.failureCause();
                if (cause != null) {
                    cause.printStackTrace();
                }
                return WorkerBenchReport.PcFigures.failed(modeName, "no assignment within 60 s"
                        + (cause != null ? ": " + describe(cause) : ""));
            }
            long t0 = System.nanoTime();
            int done = awaitResults(t, commands, Duration.ofMinutes(5), null, pc::failed);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int peak = sandbox.maxConcurrentCalls();
            Throwable cause = pc.failed() ? pc.failureCause() : null;
            if (cause != null) {
                cause.printStackTrace();
            }
            System.out.printf(Locale.ROOT, "parallel-consumer (%s): %d results in %.2f s = %.0f commands/s, peak calls"
                    + " in flight %d%s%n", modeName, done, seconds, done / seconds, peak,
                    cause != null ? ", failed: " + describe(cause) : "");
            return new WorkerBenchReport.PcFigures(modeName, done, seconds, done / seconds, peak, cause != null ? describe(cause) : null);
        } finally {
            try {
                pc.close();
            } catch (RuntimeException e) {
                System.out.println("parallel-consumer close: " + describe(e));
            }
        }
    }

    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            b.append(b.length() > 0 ? " <- " : "").append(c.getClass().getName()).append(": ").append(c.getMessage());
        }
        return b.toString().replace('"', '\'').replace('\n', ' ');
    }

    private double[] workerPhase(int commands) throws Exception {

        // (1) throughput: a backlog of commands drained by one worker instance
        sandbox.reset(); // counters and the concurrency gauge start afresh
        sandbox.setFaults(Faults.latency(PROVIDER_LATENCY));
        Topics t1 = topics("tput");
        produce(t1, commands, 0, 0);
        CommandWorker worker = worker(t1, "bench-tput");
        long t0 = System.nanoTime(); // from the moment the worker has joined its group
        Thread trace = new Thread(() -> {
            while (Boolean.getBoolean("bench.trace") && !Thread.currentThread().isInterrupted()) {
                System.out.printf(Locale.ROOT, "t=%.1fs sandbox sends=%d results read=%d%n",
                        (System.nanoTime() - t0) / 1e9, sandbox.outbox().size(), resultsSeen);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        trace.setDaemon(true);
        trace.start();
        int done = awaitResults(t1, commands, Duration.ofMinutes(5), null, () -> false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        worker.close(Duration.ofSeconds(10));
        double workerRate = done / seconds;
        int peakInFlight = sandbox.maxConcurrentCalls();
        System.out.printf(Locale.ROOT, "worker: %d results in %.2f s = %.0f commands/s, peak calls in flight %d%n",
                done, seconds, workerRate, peakInFlight);
        return new double[] {seconds, workerRate};
    }

    private List<Long> latencyPhase(int rate, int latencyCommands) throws Exception {
        // (2) latency: commands at a steady rate, end to end (command produced -> result readable, read_committed)
        Topics t2 = topics("lat");
        CommandWorker latencyWorker = worker(t2, "bench-lat");
        Map<String, Long> producedAt = new ConcurrentHashMap<>();
        Thread producer = new Thread(() -> produce(t2, latencyCommands, rate, 0, producedAt));
        producer.start();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        awaitResults(t2, latencyCommands, Duration.ofMinutes(2), (id, now) -> {
            Long at = producedAt.get(id);
            if (at != null) {
                latencies.add(now - at);
            }
        }, () -> false);
        producer.join();
        latencyWorker.close(Duration.ofSeconds(10));
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return sorted;
    }

    private Topics topics(String name) throws Exception {
        TopicNames names = TopicNames.withPrefix("bench-" + name + "-" + UUID.randomUUID().toString().substring(0, 6)
                + ".");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(names.commands(), partitions, (short) 1),
                    new NewTopic(names.results(), partitions, (short) 1),
                    new NewTopic(names.deadLetter(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && !leadersKnown(admin, names)) {
                Thread.sleep(50);
            }
        }
        return new Topics(names, registry, new AvroSerdeConfig("mock://bench", null, true, false));
    }

    /** False also while the new topics are not yet in the broker's metadata (describe answers "unknown topic"). */
    private static boolean leadersKnown(Admin admin, TopicNames names) throws InterruptedException {
        try {
            return admin.describeTopics(List.of(names.commands(), names.results())).allTopicNames().get().values()
                    .stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return false;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private CommandWorker worker(Topics topics, String id) {
        WorkerConfig config = WorkerConfig.of(bootstrap, id, topics.names).withGroupId("group-" + id);
        CommandWorker worker = new CommandWorker(config, topics, client, PROFILES, Clock.systemUTC());
        worker.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!worker.isJoined() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return worker;
    }

    private static int sequence;

    private static synchronized int nextNumber() {
        return sequence++;
    }

    private void produce(Topics topics, int count, int perSecond, int unused) {
        produce(topics, count, perSecond, unused, null);
    }

    private void produce(Topics topics, int count, int perSecond, int unused, Map<String, Long> producedAt) {
        // the load generator is not under test: plain acks=1 producer
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        try (KafkaProducer<String, VerificationCommand> p = new KafkaProducer<>(props, new StringSerializer(),
                topics.commands.valueSerde().serializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                if (perSecond > 0) {
                    long due = start + (long) i * 1_000_000_000L / perSecond;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                }
                int n = nextNumber();
                VerificationCommand c = VerificationCommand.newBuilder().setCommandId("c-" + n)
                        .setRequestId("r-" + n).setIssuedAt(Instant.now()).setDeadline(Instant.now().plusSeconds(600))
                        .setSenderProfile("default")
                        .setAction(SendCode.newBuilder().setPhoneNumber("+3519" + String.format("%08d", 10_000_000 + n))
                                .setCodeType("numeric").setCodeSize(6).setTtlSeconds(300).setMessage("Code {CODE}")
                                .build()).build();
                if (producedAt != null) {
                    producedAt.put(c.getCommandId(), System.nanoTime());
                }
                p.send(new ProducerRecord<>(topics.names.commands(), c.getRequestId(), c));
            }
            p.flush();
        }
    }

    interface OnResult {
        void accept(String commandId, long nowNanos);
    }

    private int awaitResults(Topics topics, int expected, Duration timeout, OnResult onResult,
                             java.util.function.BooleanSupplier gaveUp) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, VerificationCommandResult> c = new KafkaConsumer<>(props, new StringDeserializer(),
                topics.results.valueSerde().deserializer())) {
            c.subscribe(List.of(topics.names.results()));
            int seen = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen < expected && System.nanoTime() < deadline && !gaveUp.getAsBoolean()) {
                for (ConsumerRecord<String, VerificationCommandResult> r : c.poll(Duration.ofMillis(20))) {
                    seen++;
                    resultsSeen = seen;
                    if (onResult != null) {
                        onResult.accept(r.value().getCommandId(), System.nanoTime());
                    }
                }
            }
            return seen;
        }
    }

    /** poll → blocking call → produce, one record at a time, committing after each batch. */
    private int naive(Topics topics, Duration window) throws Exception {
        Map<String, Object> cprops = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "naive", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
        Map<String, Object> pprops = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        int done = 0;
        try (KafkaConsumer<String, VerificationCommand> c = new KafkaConsumer<>(cprops, new StringDeserializer(),
                topics.commands.valueSerde().deserializer());
             KafkaProducer<String, String> p = new KafkaProducer<>(pprops, new StringSerializer(),
                     new StringSerializer())) {
            c.subscribe(List.of(topics.names.commands()));
            long end = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, VerificationCommand> r : c.poll(Duration.ofMillis(50))) {
                    SendCode s = (SendCode) r.value().getAction();
                    var result = client.send(PROFILES.find("default").orElseThrow(), new SendRequest(s.getPhoneNumber(),
                            s.getCodeType(), s.getCodeSize(), s.getTtlSeconds(), s.getMessage(), null)).get();
                    p.send(new ProducerRecord<>(topics.names.results(), r.key(), result.describe())).get();
                    done++;
                }
                c.commitSync();
            }
        }
        return done;
    }

    private double httpOnly(int calls, int concurrency) throws InterruptedException {
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(concurrency);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(calls);
        SenderProfile profile = PROFILES.find("default").orElseThrow();
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            slots.acquire();
            client.send(profile, new SendRequest("+3519" + (20_000_000 + i), "numeric", 6, 60, "{CODE}", null))
                    .whenComplete((r, e) -> {
                        slots.release();
                        done.countDown();
                    });
        }
        done.await();
        return calls / ((System.nanoTime() - t0) / 1e9);
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
