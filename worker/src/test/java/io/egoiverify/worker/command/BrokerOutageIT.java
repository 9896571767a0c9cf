package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.Faults;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker against a broker in its own process that stops answering (SIGSTOP) for longer than the transaction
 * timeout while calls complete, then comes back (SIGCONT). The producer then times out in the middle of a transaction
 * (sending offsets, committing, aborting): the worker must neither die nor re-run an E-goi call whose result it
 * produced, nor lose one.
 */
@Timeout(300)
class BrokerOutageIT {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerOutageIT.class);
    static final SenderProfiles PROFILES = SenderProfiles.of(new SenderProfile("default", "it-key", "it-sender"));
    /** Longer than the worker's transaction timeout (6 s by default) and several producer max.block.ms (2 s). */
    static final Duration OUTAGE = Duration.ofSeconds(10);
    static final int BEFORE = 60;
    static final int AFTER = 20;

    static BrokerProcess broker;
    static EgoiSandbox sandbox;
    static EgoiClient client;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start();
        sandbox = new EgoiSandbox().start("127.0.0.1", 0);
        client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, sandbox.baseUrl(Dialect.GUIDE))
                .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(30)));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /**
     * Both producer behaviours meet the same outage (one freeze serves both workers, each on its own topics and
     * numbers): "short" — max.block.ms 2 s, so the producer's blocking calls time out several times within the
     * outage;
     * "patient" — the default max.block.ms (60 s), so the producer waits through the outage while the
     * transaction outlives transaction.timeout.ms, and the coordinator may abort it and fence the producer's epoch.
     */
    @Test
    void anOutageNeitherEndsTheWorkerNorRepeatsNorLosesACommand_whetherTheProducerTimesOutOrWaits() {
        // calls end throughout the outage, so that results enter transactions that cannot commit
        sandbox.reset();
        sandbox.setFaults(Faults.none().withLatency(Duration.ofMillis(500), Duration.ofSeconds(7)));
        List<Outage> workers = List.of(new Outage("short", 0, Map.of("producer.max.block.ms", "2000")),
                new Outage("patient", 1, Map.of()));
        try {
            for (Outage o : workers) {
                await().atMost(Duration.ofSeconds(60)).until(o.worker::isJoined);
                o.produce(BEFORE);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> sandbox.sendCallsByNumber().size() == BEFORE * workers.size());
            for (Outage o : workers) {
                // some results committed first: the producer knows the results topic, as in production
                assertThat(results(o.topics, 3, Duration.ofSeconds(30))).as(o.name).hasSizeGreaterThanOrEqualTo(3);
            }

            LOG.info("freezing the broker for {}", OUTAGE);
            broker.freeze();
            try {
                // the fault's duration (not a wait for Kafka): the process stays frozen, alive, for the whole outage
                await("outage").during(OUTAGE).atMost(OUTAGE.plusSeconds(5)).until(broker::alive);
            } finally {
                broker.thaw();
                LOG.info("broker thawed");
            }

            for (Outage o : workers) {
                assertThat(o.worker.isRunning()).as(o.name + ": worker thread alive after the outage").isTrue();
            }
            for (Outage o : workers) {
                await(o.name + " ready again").atMost(Duration.ofSeconds(60)).until(o.worker::isJoined);
                o.produce(AFTER);
            }
            for (Outage o : workers) {
                List<VerificationCommandResult> results = results(o.topics, o.commands.size(), Duration.ofSeconds(90));
                assertThat(results).extracting(VerificationCommandResult::getCommandId)
                        .as(o.name + ": one result per command, none lost, none twice")
                        .containsExactlyInAnyOrderElementsOf(o.commands.stream()
                                .map(VerificationCommand::getCommandId).toList());
                assertThat(results).extracting(VerificationCommandResult::getStatus).as(o.name)
                        .containsOnly(CommandStatus.SENT);
                assertThat(o.worker.isRunning()).as(o.name).isTrue();
            }
            assertThat(sandbox.sendCallsByNumber()).as("E-goi sends per number")
                    .hasSize((BEFORE + AFTER) * workers.size())
                    .allSatisfy((number, calls) -> assertThat(calls).as(number).isEqualTo(1));
        } finally {
            workers.forEach(Outage::close);
        }
    }

    /** One worker through the outage: its topics, its numbers ({@code index} apart), the commands it was given. */
    private static final class Outage {
        final String name;
        final int index;
        final Topics topics;
        final CommandHandler handler;
        final CommandWorker worker;
        final List<VerificationCommand> commands = new ArrayList<>();

        Outage(String name, int index, Map<String, String> kafkaOverrides) {
            this.name = name;
            this.index = index;
            this.topics = new Topics(TopicNames.withPrefix(name + "."), new InMemorySchemaRegistry(),
                    new AvroSerdeConfig("mock://" + name, null, true, false));
            broker.createTopics(2, topics.names.commands(), topics.names.results(), topics.names.deadLetter());
            WorkerConfig config = WorkerConfig.of(broker.bootstrapServers(), "it-outage-" + name, topics.names)
                    .withGroupId("group-outage-" + name).withKafkaOverrides(kafkaOverrides);
            this.handler = CommandExecutor.create(client, PROFILES, config.retries(), config.breaker(),
                    Clock.systemUTC(), WorkerMetrics.NONE);
            this.worker = new CommandWorker(config, topics, handler, Clock.systemUTC(), WorkerMetrics.NONE);
            worker.start();
        }

        void produce(int count) {
            List<VerificationCommand> batch = new ArrayList<>();
            for (int i = commands.size(); i < commands.size() + count; i++) {
                batch.add(send(index * 10_000 + i));
            }
            BrokerOutageIT.produce(topics, batch);
            commands.addAll(batch);
        }

        void close() {
            worker.close(Duration.ofSeconds(5));
            handler.close();
        }
    }

    static VerificationCommand send(int i) {
        return VerificationCommand.newBuilder().setCommandId("cmd-" + i + "-" + UUID.randomUUID())
                .setRequestId("req-" + i).setIssuedAt(Instant.now()).setDeadline(Instant.now().plusSeconds(600))
                .setSenderProfile("default")
                .setAction(SendCode.newBuilder().setPhoneNumber("+35192" + String.format("%07d", i))
                        .setCodeType("numeric").setCodeSize(4).setTtlSeconds(120).setMessage("Code {CODE}").build())
                .build();
    }

    static void produce(Topics topics, List<VerificationCommand> commands) {
        try (KafkaProducer<String, VerificationCommand> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), topics.commands.valueSerde().serializer())) {
            for (VerificationCommand c : commands) {
                p.send(new ProducerRecord<>(topics.names.commands(), c.getRequestId(), c));
            }
            p.flush();
        }
    }

    /** Reads the results topic (read_committed) until {@code expected} arrived and 3 s more passed, or timeout. */
    static List<VerificationCommandResult> results(Topics topics, int expected, Duration timeout) {
        try (KafkaConsumer<String, VerificationCommandResult> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), topics.results.valueSerde().deserializer())) {
            c.subscribe(List.of(topics.names.results()));
            List<VerificationCommandResult> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            // read past the expected count for a while: a duplicate must show up in the assertion
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
            return out;
        }
    }
}
