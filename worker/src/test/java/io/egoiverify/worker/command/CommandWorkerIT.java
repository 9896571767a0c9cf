package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.internal.CancelVerification;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.DeadLetterHeaders;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.testing.KafkaClusterExtension;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.Faults;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The worker on a real in-process broker against the sandbox on loopback. */
@Timeout(180)
class CommandWorkerIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();
    static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();
    static final SenderProfiles PROFILES = SenderProfiles.of(new SenderProfile("default", "it-key", "it-sender"));
    static EgoiSandbox sandbox;
    static EgoiClient client;

    Topics topics;
    /** Workers, then their handlers: closed in this order after each test. */
    final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void startSandbox() throws Exception {
        sandbox = new EgoiSandbox().start("127.0.0.1", 0);
        client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, sandbox.baseUrl(Dialect.GUIDE))
                .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stopSandbox() {
        client.close();
        sandbox.close();
    }

    /** Shared by the workers of one test (a new instance per test). */
    final RecordingMetrics metrics = new RecordingMetrics();

    @BeforeEach
    void topics() {
        sandbox.reset();
        topics = new Topics(TopicNames.withPrefix(KafkaClusterExtension.uniqueTopic("w") + "."), REGISTRY,
                new AvroSerdeConfig("mock://it", null, true, false));
    }

    @AfterEach
    void stopWorkers() throws Exception {
        for (AutoCloseable c : running) {
            if (c instanceof CommandWorker w) {
                w.close(Duration.ofSeconds(2));
            } else {
                c.close();
            }
        }
    }

    CommandWorker startWorker(String transactionalId, EgoiClient egoi) {
        return startWorker(WorkerConfig.of(KAFKA.bootstrapServers(), transactionalId, topics.names)
                .withGroupId("group-" + topics.names.commands()), egoi);
    }

    CommandWorker startWorker(WorkerConfig config, EgoiClient egoi) {
        return startWorker(config, topics, egoi);
    }

    CommandWorker startWorker(WorkerConfig config, Topics workerTopics, EgoiClient egoi) {
        CommandWorker worker = newWorker(config, workerTopics, egoi);
        worker.start();
        await().atMost(Duration.ofSeconds(30)).until(worker::isJoined);
        return worker;
    }

    /** A worker (not started) with the E-goi handler the application builds; both closed after the test. */
    CommandWorker newWorker(WorkerConfig config, Topics workerTopics, EgoiClient egoi) {
        CommandHandler handler = CommandExecutor.create(egoi, PROFILES, config.retries(), config.breaker(),
                Clock.systemUTC(), metrics);
        CommandWorker worker = new CommandWorker(config, workerTopics, handler, Clock.systemUTC(), metrics);
        running.add(0, handler);
        running.add(0, worker);
        return worker;
    }

    static String number(int i) {
        return "+35191" + String.format("%07d", i);
    }

    static String egoiNumber(int i) {
        return "351-91" + String.format("%07d", i);
    }

    static VerificationCommand send(int i, Instant deadline) {
        return VerificationCommand.newBuilder().setCommandId("cmd-" + i + "-" + UUID.randomUUID())
                .setRequestId("req-" + i).setIssuedAt(Instant.now()).setDeadline(deadline).setSenderProfile("default")
                .setAction(SendCode.newBuilder().setPhoneNumber(number(i)).setCodeType("numeric").setCodeSize(4)
                        .setTtlSeconds(120).setMessage("Code {CODE}").build()).build();
    }

    static VerificationCommand check(int i, Instant deadline) {
        return VerificationCommand.newBuilder().setCommandId("chk-" + i + "-" + UUID.randomUUID())
                .setRequestId("req-" + i).setIssuedAt(Instant.now()).setDeadline(deadline).setSenderProfile("default")
                .setAction(CheckCode.newBuilder().setProviderRequestId("unknown-" + i).setSubmissionId("s-" + i)
                        .setCode("0000").build()).build();
    }

    void produce(List<VerificationCommand> commands) {
        try (KafkaProducer<String, VerificationCommand> p = KAFKA.producer(new StringSerializer(),
                topics.commands.valueSerde().serializer())) {
            for (VerificationCommand c : commands) {
                p.send(new ProducerRecord<>(topics.names.commands(), c.getRequestId(), c));
            }
            p.flush();
        }
    }

    /** Reads the results topic (read_committed) until {@code expected} results arrived. */
    List<VerificationCommandResult> results(int expected, Duration timeout) {
        try (KafkaConsumer<String, VerificationCommandResult> c = KAFKA.consumer("reader-" + UUID.randomUUID(),
                new StringDeserializer(), topics.results.valueSerde().deserializer())) {
            c.subscribe(List.of(topics.names.results()));
            List<VerificationCommandResult> out = new ArrayList<>();
            KafkaClusterExtension.consume(c, expected, timeout).forEach(r -> out.add(r.value()));
            return out;
        }
    }

    @Test
    void batchWithProviderLatencyCompletesWithOneResultPerCommand() {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        sandbox.setFaults(Faults.none().withLatency(Duration.ofMillis(50), Duration.ofMillis(150)));
        startWorker("it-batch", client);
        List<VerificationCommand> commands = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            commands.add(send(i, Instant.now().plusSeconds(60)));
        }
        produce(commands);

        List<VerificationCommandResult> results = results(200, Duration.ofSeconds(60));
        assertThat(results).hasSize(200).allSatisfy(r -> {
            assertThat(r.getStatus()).isEqualTo(CommandStatus.SENT);
            assertThat(r.getProviderRequestId()).isNotBlank();
        });
        assertThat(results).extracting(VerificationCommandResult::getCommandId)
                .containsExactlyInAnyOrderElementsOf(commands.stream().map(VerificationCommand::getCommandId).toList());
        assertThat(sandbox.sendCallsByNumber().values()).hasSize(200).containsOnly(1);
        assertThat(metrics.answeredCount(CommandStatus.SENT, true)).isEqualTo(200);
        assertThat(metrics.retries).isEmpty();
        assertThat(metrics.clientsCreated).hasValue(1);
        assertThat(metrics.breakers.circuitBreaker("egoi").getState())
                .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.inFlight.getAsInt() == 0);
    }

    @Test
    void faultStormAnswersEveryCommandWithinItsDeadlineAndNeverRepeatsASendWithAnUnknownOutcome() {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        sandbox.setFaults(Faults.none().withLatency(Duration.ofMillis(5), Duration.ofMillis(40))
                .withErrorRate(500, 0.3).withTimeoutRate(0.1));
        startWorker("it-storm", client);
        List<VerificationCommand> commands = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(40);
        for (int i = 0; i < 120; i++) {
            commands.add(i % 3 == 2 ? check(i, deadline) : send(i, deadline));
        }
        produce(commands);

        List<VerificationCommandResult> results = results(commands.size(), Duration.ofSeconds(90));
        assertThat(results).extracting(VerificationCommandResult::getCommandId)
                .containsExactlyInAnyOrderElementsOf(commands.stream().map(VerificationCommand::getCommandId).toList());
        assertThat(results).allSatisfy(r -> {
            assertThat(r.getCompletedAt()).isBefore(deadline);
            assertThat(r.getStatus()).isIn(CommandStatus.SENT, CommandStatus.UNAVAILABLE, CommandStatus.REJECTED);
        });
        // no 429 or refused connection in this storm: every send is called exactly once
        for (VerificationCommand c : commands) {
            if (c.getAction() instanceof SendCode s) {
                assertThat(sandbox.sendCalls("351-" + s.getPhoneNumber().substring(4))).isEqualTo(1);
            }
        }
        // every result counted once; a send retried only after a call that never reached E-goi (the sandbox answers a
        // check of an unknown request id before drawing a fault, so checks are not retried here)
        assertThat(metrics.answeredTotal()).isEqualTo(commands.size());
        assertThat(metrics.retries.keySet()).filteredOn(k -> k.startsWith("send/")).allSatisfy(k -> assertThat(k)
                .isIn("send/not_executed", "send/timeout_connect", "send/timeout_pool", "send/connection_refused",
                        "send/rate_limited", "send/circuit_open"));
    }

    @Test
    void workerKilledMidBatchReExecutesOnlyTheCallsInFlight() throws Exception {
        // the first worker runs in a JVM of its own and is killed with SIGKILL; both JVMs use an in-memory registry
        // seeded alike, so that they agree on schema ids
        topics = new Topics(topics.names, WorkerProcess.seeded(topics.names),
                new AvroSerdeConfig("mock://it-crash", null, true, false));
        KAFKA.createTopics(1, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        try (EgoiClient patient = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, sandbox.baseUrl(Dialect.GUIDE))
                .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(60)))) {
            sandbox.setFaults(Faults.none().withStalledNumbers(Set.of(egoiNumber(0))));
            List<VerificationCommand> commands = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                commands.add(send(i, Instant.now().plusSeconds(120)));
            }
            produce(commands);
            java.nio.file.Path log = java.nio.file.Files.createTempFile("worker-process-", ".log");
            Process first = WorkerProcess.start(log, KAFKA.bootstrapServers(), sandbox.baseUrl(Dialect.GUIDE),
                    topics.names.prefix(), "it-crash", "group-" + topics.names.commands());
            try {
                // the slow call at offset 0 holds the committed offset back; the 49 after it are committed as metadata
                assertThat(results(49, Duration.ofSeconds(90))).as("log: %s", log).hasSize(49);
            } finally {
                first.destroyForcibly(); // SIGKILL
                first.waitFor();
            }
            assertThat(sandbox.sendCalls(egoiNumber(0))).isEqualTo(1);

            sandbox.setFaults(Faults.none());
            startWorker(WorkerConfig.of(KAFKA.bootstrapServers(), "it-crash", topics.names)
                    .withGroupId("group-" + topics.names.commands()), patient);
            List<VerificationCommandResult> all = results(50, Duration.ofSeconds(60));
            assertThat(all).extracting(VerificationCommandResult::getCommandId)
                    .containsExactlyInAnyOrderElementsOf(commands.stream().map(VerificationCommand::getCommandId)
                            .toList());
            assertThat(sandbox.sendCalls(egoiNumber(0))).isEqualTo(2);
            for (int i = 1; i < 50; i++) {
                // at most once: a connection failure before the request reached the sandbox leaves 0
                assertThat(sandbox.sendCalls(egoiNumber(i))).as("sends to number %d", i).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void inFlightWorkIsBoundedPerInstance() {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        sandbox.setFaults(Faults.none().withLatency(Duration.ofMillis(30), Duration.ofMillis(60)));
        WorkerConfig config = WorkerConfig.of(KAFKA.bootstrapServers(), "it-bounded", topics.names)
                .withGroupId("group-" + topics.names.commands())
                .withFlow(WorkerConfig.Flow.defaults().withMaxInFlight(8));
        startWorker(config, client);
        List<VerificationCommand> commands = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            commands.add(send(i, Instant.now().plusSeconds(60)));
        }
        produce(commands);
        assertThat(results(120, Duration.ofSeconds(60))).hasSize(120);
        assertThat(sandbox.maxConcurrentCalls()).isLessThanOrEqualTo(8);
        assertThat(sandbox.sendCallsByNumber().values()).hasSize(120).containsOnly(1);
    }

    @Test
    void aSecondInstanceJoiningMidBatchTakesPartitionsWithoutLosingOrRepeatingCommittedWork() {
        KAFKA.createTopics(4, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        sandbox.setFaults(Faults.none().withLatency(Duration.ofMillis(20), Duration.ofMillis(80)));
        startWorker("it-rebalance-a", client);
        List<VerificationCommand> commands = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            commands.add(send(i, Instant.now().plusSeconds(60)));
        }
        produce(commands);
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.sendCallsByNumber().size() >= 50);
        startWorker("it-rebalance-b", client);
        List<VerificationCommandResult> results = results(300, Duration.ofSeconds(60));
        assertThat(results).extracting(VerificationCommandResult::getCommandId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(commands.stream().map(VerificationCommand::getCommandId).toList());
        // revoked partitions are drained and committed before hand-over: nothing runs twice
        assertThat(sandbox.sendCallsByNumber().values()).hasSize(300).containsOnly(1);
    }

    @Test
    void partitionsTheGroupTakesAwayAndGivesBackKeepTheirCallsInsteadOfMakingThemAgain() throws Exception {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        sandbox.setFaults(Faults.none().withLatency(Duration.ofMillis(1500), Duration.ofSeconds(4)));
        String group = "group-" + topics.names.commands();
        startWorker("it-lost", client);
        List<VerificationCommand> commands = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            commands.add(send(i, Instant.now().plusSeconds(120)));
        }
        produce(commands);
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.sendCallsByNumber().size() == 40);

        // the group forgets the member (as when its session expires during a broker outage): the worker finds its
        // partitions lost with calls in flight, rejoins, and gets the same partitions back
        KAFKA.admin().removeMembersFromConsumerGroup(group,
                new org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions()).all()
                .get(30, java.util.concurrent.TimeUnit.SECONDS);

        List<VerificationCommandResult> results = results(40, Duration.ofSeconds(60));
        assertThat(results).extracting(VerificationCommandResult::getCommandId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(commands.stream().map(VerificationCommand::getCommandId).toList());
        assertThat(sandbox.sendCallsByNumber().values()).hasSize(40).containsOnly(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.inFlight.getAsInt() == 0);
    }

    @Test
    void aWorkerFencedByANewerInstanceWithItsTransactionalIdEndsAndSaysItWasNotAsked() throws Exception {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        CommandWorker first = startWorker("it-fenced", client);
        WorkerConfig sameId = WorkerConfig.of(KAFKA.bootstrapServers(), "it-fenced", topics.names)
                .withGroupId("group-" + topics.names.commands());
        CommandWorker second = startWorker(sameId, client);
        List<VerificationCommand> commands = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            commands.add(send(i, Instant.now().plusSeconds(60)));
        }
        produce(commands); // keyed by requestId: both partitions get some (murmur2, fixed keys)

        // The first one's next transaction is refused (fenced): it ends on its own. Within seconds on a quiet machine;
        // the bound is generous because a CI run beside other builds once took over 30 s to get there.
        assertThat(first.ended().get(90, TimeUnit.SECONDS)).as("ended without being asked").isTrue();
        assertThat(first.failure()).contains("fenced by a newer instance with the same transactional.id");
        // ended() completes in the thread's last statement; the thread itself ends right after
        await().atMost(Duration.ofSeconds(5)).until(() -> !first.isRunning());
        assertThat(results(10, Duration.ofSeconds(30))).hasSize(10);
        second.close(Duration.ofSeconds(5));
        assertThat(second.ended().get(10, TimeUnit.SECONDS)).as("closed").isFalse();
        assertThat(second.failure()).isEmpty();
    }

    @Test
    void gracefulCloseFinishesInFlightCallsAndCommitsTheirResults() {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        sandbox.setFaults(Faults.latency(Duration.ofMillis(400)));
        CommandWorker worker = startWorker("it-close", client);
        List<VerificationCommand> commands = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            commands.add(send(i, Instant.now().plusSeconds(60)));
        }
        produce(commands);
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.sendCallsByNumber().size() == 20);
        worker.close(Duration.ofSeconds(5));
        assertThat(results(20, Duration.ofSeconds(20))).hasSize(20);
    }

    /**
     * A dead letter larger than its topic takes was refused for good: three transactions in a row, then the worker
     * stopped, and after a restart it read the same command again. It is cut to fit (the topic's limit is read at
     * start-up), and the commands behind it are answered.
     */
    @Test
    void anUnreadableCommandTooLargeForTheDeadLetterTopicIsCutToFit() throws Exception {
        KAFKA.createTopics(1, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, topics.names.deadLetter());
        KAFKA.admin().incrementalAlterConfigs(Map.of(dlq, List.of(new AlterConfigOp(
                new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "100000"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        // the worker reads the limit at start-up: from a broker that may not have applied the alteration yet
        await().atMost(Duration.ofSeconds(30)).until(() -> "100000".equals(KAFKA.admin().describeConfigs(List.of(dlq))
                .all().get(10, TimeUnit.SECONDS).get(dlq).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()));
        CommandWorker worker = startWorker("it-dlq-large", client);
        byte[] junk = new byte[200_000];
        new Random(7).nextBytes(junk);
        junk[0] = 7; // not the wire format's magic byte
        try (KafkaProducer<byte[], byte[]> raw = KAFKA.producer(new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topics.names.commands(), "req-x".getBytes(StandardCharsets.UTF_8), junk));
            raw.flush();
        }
        produce(List.of(send(1, Instant.now().plusSeconds(60))));

        assertThat(results(1, Duration.ofSeconds(30))).extracting(VerificationCommandResult::getStatus)
                .containsExactly(CommandStatus.SENT);
        assertThat(worker.isRunning()).isTrue();
        try (KafkaConsumer<byte[], byte[]> c = KAFKA.consumer("dlq-" + UUID.randomUUID(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topics.names.deadLetter()));
            ConsumerRecord<byte[], byte[]> dead = KafkaClusterExtension.consume(c, 1, Duration.ofSeconds(20)).get(0);
            assertThat(dead.serializedValueSize()).isLessThan(100_000).isGreaterThan(90_000);
            assertThat(dead.value()).isEqualTo(Arrays.copyOf(junk, dead.value().length));
            Map<String, String> headers = new HashMap<>();
            dead.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
            assertThat(headers).containsEntry(DeadLetterHeaders.OFFSET, "0")
                    .containsEntry(DeadLetterHeaders.VALUE_SIZE, "200000")
                    .containsEntry(DeadLetterHeaders.VALUE_SHA256, HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(junk)))
                    .containsKey(DeadLetterHeaders.TRUNCATED);
        }
    }

    /**
     * A command as large as any client may produce (1 MiB, the producer's max.request.size) whose result would echo
     * more than it: an unknown sender profile's name (the detail named it whole). The result was refused for good
     * (RecordTooLargeException): the worker stopped after three transactions and read the same command again after
     * every restart, the partition blocked for good. The name is cut in the detail; ids too long for any command the
     * lifecycle issues are dead-lettered.
     */
    @Test
    void aCommandAsLargeAsTheRecordLimitIsAnsweredWithoutStoppingTheWorker() throws Exception {
        KAFKA.createTopics(1, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        CommandWorker worker = startWorker("it-big-command", client);
        Instant deadline = Instant.now().plusSeconds(60);
        String profile = filled(p -> bigCommand(p, "req-big", "cmd-big", deadline));
        VerificationCommand big = bigCommand(profile, "req-big", "cmd-big", deadline);
        String requestId = filled(id -> bigCommand("x", id, "cmd-long-id", deadline));
        VerificationCommand longId = bigCommand("x", requestId, "cmd-long-id", deadline);
        produce(List.of(big, longId, send(1, deadline)));

        List<VerificationCommandResult> results = results(2, Duration.ofSeconds(30));
        assertThat(results).extracting(VerificationCommandResult::getCommandId).hasSize(2)
                .contains("cmd-big").anyMatch(id -> id.startsWith("cmd-1-"));
        VerificationCommandResult answer = results.stream().filter(r -> r.getCommandId().equals("cmd-big"))
                .findFirst().orElseThrow();
        assertThat(answer.getStatus()).isEqualTo(CommandStatus.REJECTED);
        assertThat(answer.getDetail()).startsWith("unknown sender profile 'xxxx").hasSizeLessThan(200);
        assertThat(worker.isRunning()).isTrue();
        assertThat(metrics.deadLettered).containsExactly("IllegalArgumentException");
    }

    private static VerificationCommand bigCommand(String profile, String requestId, String commandId,
                                                  Instant deadline) {
        return VerificationCommand.newBuilder().setCommandId(commandId).setRequestId(requestId)
                .setIssuedAt(Instant.EPOCH).setDeadline(deadline).setSenderProfile(profile)
                .setAction(CancelVerification.newBuilder().setProviderRequestId("").build()).build();
    }

    /**
     * The longest string of 'x' whose command (keyed by its requestId) fits the producer's 1 MiB max.request.size, by
     * the producer's own estimate.
     */
    private String filled(Function<String, VerificationCommand> command) {
        int lo = 1;
        int hi = 1_048_576;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            VerificationCommand c = command.apply("x".repeat(mid));
            byte[] key = c.getRequestId().getBytes(StandardCharsets.UTF_8);
            byte[] value = topics.commands.valueSerde().serializer().serialize(topics.names.commands(), c);
            int size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                    CompressionType.NONE, key, value, new Header[0]);
            if (size <= 1_048_576) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return "x".repeat(lo);
    }

    @Test
    void unreadableCommandGoesToTheDeadLetterTopicAndDoesNotBlockThePartition() {
        KAFKA.createTopics(1, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        startWorker("it-dlq", client);
        try (KafkaProducer<byte[], byte[]> raw = KAFKA.producer(new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topics.names.commands(), "req-x".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8)));
            raw.flush();
        }
        produce(List.of(send(1, Instant.now().plusSeconds(60)), send(2, Instant.now().minusSeconds(1))));

        List<VerificationCommandResult> results = results(2, Duration.ofSeconds(30));
        assertThat(results).extracting(VerificationCommandResult::getStatus)
                .containsExactlyInAnyOrder(CommandStatus.SENT, CommandStatus.DEADLINE_PASSED);
        assertThat(metrics.deadLettered).containsExactly("InvalidWireFormatException");
        assertThat(metrics.answeredCount(CommandStatus.SENT, true)).isEqualTo(1);
        assertThat(metrics.answeredCount(CommandStatus.DEADLINE_PASSED, false)).isEqualTo(1);
        try (KafkaConsumer<byte[], byte[]> c = KAFKA.consumer("dlq-" + UUID.randomUUID(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topics.names.deadLetter()));
            List<ConsumerRecord<byte[], byte[]>> dead = KafkaClusterExtension.consume(c, 1, Duration.ofSeconds(20));
            assertThat(dead).hasSize(1);
            Map<String, String> headers = new HashMap<>();
            dead.get(0).headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
            assertThat(headers).containsEntry(DeadLetterHeaders.TOPIC, topics.names.commands())
                    .containsEntry(DeadLetterHeaders.OFFSET, "0").containsKey(DeadLetterHeaders.EXCEPTION);
            assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        }
    }

    /** A wrong topics.prefix, or topics not created yet: the worker stops and names them, before fencing anyone. */
    @Test
    void aWorkerWhoseTopicsDoNotExistStopsOnItsOwnAndCreatesNone() throws Exception {
        KAFKA.createTopics(1, topics.names.commands()); // results and dead letters missing
        CommandWorker worker = newWorker(WorkerConfig.of(KAFKA.bootstrapServers(), "it-missing", topics.names)
                .withGroupId("group-" + topics.names.commands()), topics, client);
        worker.start();
        assertThat(worker.ended().get(60, TimeUnit.SECONDS)).as("ended without being asked").isTrue();
        assertThat(worker.failure()).hasValueSatisfying(why -> assertThat(why)
                .startsWith("refusing to start: topics missing: ").contains(topics.names.results()));
        assertThat(worker.isJoined()).isFalse();
        assertThat(KAFKA.admin().listTopics().names().get(30, TimeUnit.SECONDS))
                .contains(topics.names.commands())
                .doesNotContain(topics.names.results(), topics.names.deadLetter());
    }

    @Test
    void aRegistryOutageDelaysCommandsWithoutDeadLetteringLosingOrRepeatingThem() {
        KAFKA.createTopics(1, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        FlakyRegistry registry = new FlakyRegistry(REGISTRY);
        registry.readsDown = true;
        registry.registrationsDown = true;
        // the worker's own serdes (cold caches) on the flaky client; the test's producer and reader use REGISTRY
        Topics workerTopics = new Topics(topics.names, registry, new AvroSerdeConfig("mock://it", null, true, false));
        CommandWorker worker = newWorker(WorkerConfig.of(KAFKA.bootstrapServers(), "it-registry",
                topics.names).withGroupId("group-" + topics.names.commands()), workerTopics, client);
        worker.start();
        await().atMost(Duration.ofSeconds(30)).until(worker::isJoined);
        produce(List.of(send(1, Instant.now().plusSeconds(120))));

        // the command cannot be read: it waits (no call, no dead letter) and is retried
        await().atMost(Duration.ofSeconds(20)).until(() -> registry.readFailures.get() >= 3);
        assertThat(sandbox.sendCallsByNumber()).isEmpty();
        registry.readsDown = false;

        // read and executed, but its result cannot be written: it is kept, E-goi is not called again
        await().atMost(Duration.ofSeconds(20)).until(() -> registry.registrationFailures.get() >= 3);
        assertThat(sandbox.sendCallsByNumber()).containsOnlyKeys(egoiNumber(1)).containsValue(1);
        assertThat(worker.isRunning()).isTrue();
        registry.registrationsDown = false;

        assertThat(results(1, Duration.ofSeconds(30))).extracting(VerificationCommandResult::getStatus)
                .containsExactly(CommandStatus.SENT);
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.answeredTotal() == 1);
        assertThat(metrics.deadLettered).isEmpty();
        assertThat(worker.isJoined()).isTrue();
        // committed: a second instance taking over does not run it again
        worker.close(Duration.ofSeconds(5));
        CommandWorker next = startWorker("it-registry-2", client);
        produce(List.of(send(2, Instant.now().plusSeconds(120))));
        assertThat(results(2, Duration.ofSeconds(30))).hasSize(2);
        assertThat(next.isRunning()).isTrue();
        assertThat(sandbox.sendCallsByNumber()).containsOnlyKeys(egoiNumber(1), egoiNumber(2)).containsOnly(
                java.util.Map.entry(egoiNumber(1), 1), java.util.Map.entry(egoiNumber(2), 1));
        assertThat(metrics.deadLettered).isEmpty();
    }
}
