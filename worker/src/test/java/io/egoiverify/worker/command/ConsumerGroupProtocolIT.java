package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.testing.KafkaClusterExtension;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.Faults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker as a member of a broker-run consumer group ({@code group.protocol=consumer}, KIP-848), on a broker
 * formatted with the release's production features: every command is sent once across a normal run, a member the
 * group drops and takes back, a fenced worker's close, and a static member restarted after a crash.
 */
@Timeout(180)
class ConsumerGroupProtocolIT {
    /**
     * The broker's consumer-group session timeout stays at Kafka's 45 s (a member that does not leave lingers that
     * long); a test that needs a shorter one sets it for its own group. Heartbeats every 500 ms rather than 5 s keep
     * the joins fast.
     */
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension().withProductionFeatures()
            .withBrokerProperty("group.consumer.min.session.timeout.ms", "1000")
            .withBrokerProperty("group.consumer.min.heartbeat.interval.ms", "250")
            .withBrokerProperty("group.consumer.heartbeat.interval.ms", "500");
    /** The worker-only form of the setting (kafka.consumer.group.protocol): the lifecycle's Streams never sees it. */
    static final Map<String, String> CONSUMER_PROTOCOL = Map.of("consumer.group.protocol", "consumer");

    static EgoiSandbox sandbox;
    static EgoiClient client;

    Topics topics;
    String group;
    final RecordingMetrics metrics = new RecordingMetrics();
    /** Workers, then their handlers: closed in this order after each test. */
    final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void startSandbox() throws Exception {
        sandbox = new EgoiSandbox().start("127.0.0.1", 0);
        client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, sandbox.baseUrl(Dialect.GUIDE))
                .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(10)));
    }

    @AfterAll
    static void stopSandbox() {
        client.close();
        sandbox.close();
    }

    @BeforeEach
    void topics() {
        sandbox.reset();
        TopicNames names = TopicNames.withPrefix(KafkaClusterExtension.uniqueTopic("kip848") + ".");
        // seeded: a worker JVM of its own (WorkerProcess) agrees on the schema ids
        topics = new Topics(names, WorkerProcess.seeded(names), new AvroSerdeConfig("mock://kip848", null, true,
                false));
        group = "group-" + names.commands();
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

    WorkerConfig config(String transactionalId, Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>(CONSUMER_PROTOCOL);
        all.putAll(overrides);
        return WorkerConfig.of(KAFKA.bootstrapServers(), transactionalId, topics.names).withGroupId(group)
                .withKafkaOverrides(all);
    }

    /** A started worker on the consumer protocol (with the E-goi handler the application builds), once joined. */
    CommandWorker startWorker(WorkerConfig config) {
        CommandHandler handler = CommandExecutor.create(client, CommandWorkerIT.PROFILES, config.retries(),
                config.breaker(), Clock.systemUTC(), metrics);
        CommandWorker worker = new CommandWorker(config, topics, handler, Clock.systemUTC(), metrics);
        running.add(0, handler);
        running.add(0, worker);
        worker.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.isJoined() || !worker.isRunning());
        assertThat(worker.isJoined()).as("joined; failure: %s", worker.failure()).isTrue();
        return worker;
    }

    List<VerificationCommand> produce(int from, int to) {
        List<VerificationCommand> commands = new ArrayList<>();
        try (KafkaProducer<String, VerificationCommand> p = KAFKA.producer(new StringSerializer(),
                topics.commands.valueSerde().serializer())) {
            for (int i = from; i < to; i++) {
                VerificationCommand c = CommandWorkerIT.send(i, Instant.now().plusSeconds(120));
                commands.add(c);
                p.send(new ProducerRecord<>(topics.names.commands(), c.getRequestId(), c));
            }
            p.flush();
        }
        return commands;
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

    /** A dynamic group config (KIP-848) of this test's group, set before its members join. */
    void setGroupConfig(String name, String value) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        KAFKA.admin().incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
    }

    ConsumerGroupDescription describeGroup() throws Exception {
        return KAFKA.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group)
                .get(10, TimeUnit.SECONDS);
    }

    /** One result per command, and one E-goi send per command: none made twice. */
    void assertEachSentOnce(List<VerificationCommand> commands, List<VerificationCommandResult> results) {
        assertThat(results).extracting(VerificationCommandResult::getCommandId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(commands.stream().map(VerificationCommand::getCommandId).toList());
        assertThat(sandbox.sendCallsByNumber().values()).hasSize(commands.size()).containsOnly(1);
    }

    @Test
    void theBrokerHasTheReleasesProductionFeatures() throws Exception {
        FeatureMetadata features = KAFKA.admin().describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS);
        Map<String, FinalizedVersionRange> finalized = features.finalizedFeatures();
        assertThat(finalized.get("group.version").maxVersionLevel()).isEqualTo((short) 1);
        assertThat(finalized.get("transaction.version").maxVersionLevel()).isEqualTo((short) 2);
    }

    @Test
    void aRunOnTheConsumerProtocolSendsEveryCommandOnce() throws Exception {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        sandbox.setFaults(Faults.none().withLatency(Duration.ofMillis(20), Duration.ofMillis(80)));
        startWorker(config("kip848-run", Map.of()));
        assertThat(describeGroup().type()).as("a broker-run group").isEqualTo(GroupType.CONSUMER);

        List<VerificationCommand> commands = produce(0, 100);
        assertEachSentOnce(commands, results(100, Duration.ofSeconds(60)));
    }

    /**
     * The group drops the member (as when its session expires) with calls in flight; the member rejoins and the
     * broker hands it the same partitions back, but only a heartbeat after an empty assignment: the broker computes a
     * new target assignment at most every {@code consumer.assignment.interval.ms} (1 s by default; 5 s here, so that
     * the rejoin always falls within it). The calls continue instead of being made again.
     */
    @Test
    void partitionsLostAndHandedBackKeepTheirCallsInsteadOfMakingThemAgain() throws Exception {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        setGroupConfig("consumer.assignment.interval.ms", "5000");
        sandbox.setFaults(Faults.none().withLatency(Duration.ofMillis(1500), Duration.ofSeconds(4)));
        startWorker(config("kip848-lost", Map.of()));
        List<VerificationCommand> commands = produce(0, 40);
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.sendCallsByNumber().size() == 40);

        KAFKA.admin().removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions()).all()
                .get(30, TimeUnit.SECONDS);

        assertEachSentOnce(commands, results(40, Duration.ofSeconds(60)));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.inFlight.getAsInt() == 0);
    }

    /**
     * Fenced by a newer instance with its transactional.id, a worker still leaves the group as it stops, on either
     * protocol. The first worker commits only when forced (commit interval 60 s): its results are still open when the
     * newer instance joins, so the fence surfaces in the commit of its revoke callback. The classic consumer wraps
     * that in a plain KafkaException, and at close calls the callbacks again before its LeaveGroup, skipping the
     * LeaveGroup when one throws: the fenced member held its partitions until its session expired. Session timeouts
     * are 30 s or more here: leaving is what ends it sooner.
     */
    @ParameterizedTest
    @ValueSource(strings = {"consumer", "classic"})
    void aFencedWorkerLeavesTheGroupWhenItStops(String protocol) throws Exception {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        sandbox.setFaults(Faults.none().withLatency(Duration.ofMillis(20), Duration.ofMillis(50)));
        WorkerConfig.Flow d = WorkerConfig.Flow.defaults();
        Duration session = Duration.ofSeconds(30);
        WorkerConfig fencedId = config("kip848-fenced", Map.of("consumer.group.protocol", protocol)).withFlow(
                new WorkerConfig.Flow(d.maxInFlight(), d.maxOffsetSpan(), Duration.ofSeconds(60),
                        d.maxRecordsPerTransaction(), d.pollTimeout(), session, d.transactionTimeout().plus(session),
                        d.revokeGrace(), d.shutdownGrace()));
        CommandWorker first = startWorker(fencedId);
        List<VerificationCommand> commands = produce(0, 20);
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.sendCallsByNumber().size() == 20);
        CommandWorker second = startWorker(fencedId.withFlow(new WorkerConfig.Flow(d.maxInFlight(),
                d.maxOffsetSpan(), d.commitInterval(), d.maxRecordsPerTransaction(), d.pollTimeout(), session,
                d.transactionTimeout(), d.revokeGrace(), d.shutdownGrace())));

        assertThat(first.ended().get(90, TimeUnit.SECONDS)).as("ended without being asked").isTrue();
        assertThat(first.failure()).contains("fenced by a newer instance with the same transactional.id");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(describeGroup().members())
                .hasSize(1));
        assertThat(results(20, Duration.ofSeconds(60))).hasSize(20);
        assertThat(second.isJoined()).isTrue();
        // the fenced worker's calls could not commit: the second makes them again (a zombie's calls, at most twice)
        assertThat(sandbox.sendCallsByNumber().values()).allMatch(n -> n <= 2);
    }

    /**
     * A static member (group.instance.id, as the worker StatefulSet sets it) killed with SIGKILL and started again at
     * once: the broker refuses the instance id until the dead member's session expires; the new worker waits for it,
     * takes the partitions back and sends nothing again.
     */
    @Test
    void aStaticMemberRestartedAfterACrashWaitsForItsSessionAndSendsNothingAgain() throws Exception {
        KAFKA.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
        setGroupConfig("consumer.session.timeout.ms", "3000");
        Map<String, String> staticMember = new HashMap<>(CONSUMER_PROTOCOL);
        staticMember.put("group.instance.id", "kip848-static-0");
        Path log = Files.createTempFile("worker-process-", ".log");
        Process first = WorkerProcess.start(log, KAFKA.bootstrapServers(), sandbox.baseUrl(Dialect.GUIDE),
                topics.names.prefix(), "kip848-static", group, staticMember);
        List<VerificationCommand> commands = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains(WorkerProcess.JOINED)
                    || !first.isAlive());
            assertThat(Files.readString(log)).as("log: %s", log).contains(WorkerProcess.JOINED);
            commands.addAll(produce(0, 20));
            assertThat(results(20, Duration.ofSeconds(60))).as("log: %s", log).hasSize(20);
        } finally {
            first.destroyForcibly(); // SIGKILL: no leave, the member stays until its session expires
            first.waitFor();
        }

        CommandWorker restarted = startWorker(config("kip848-static", Map.of("group.instance.id",
                "kip848-static-0")));
        commands.addAll(produce(20, 40));
        assertEachSentOnce(commands, results(40, Duration.ofSeconds(60)));
        assertThat(restarted.isJoined()).isTrue();
        assertThat(describeGroup().members()).singleElement().satisfies(m -> assertThat(m.groupInstanceId())
                .contains("kip848-static-0"));
    }
}
