package io.egoiverify.worker.bench;

import static org.awaitility.Awaitility.await;

import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The benchmark's Kafka side, which is not under test: fresh topics per phase, send commands produced as a backlog or
 * at a steady rate (each to its own number), and results read back with read_committed as they become visible.
 */
final class BenchLoad {
    /** Called for each result read, with the time it was read. */
    interface OnResult {
        void accept(String commandId, long nowNanos);
    }

    private final String bootstrap;
    private final int partitions;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AtomicInteger numbers = new AtomicInteger();
    private volatile int resultsSeen;

    BenchLoad(String bootstrap, int partitions) {
        this.bootstrap = bootstrap;
        this.partitions = partitions;
    }

    String bootstrap() {
        return bootstrap;
    }

    /** Results read so far by the running {@link #awaitResults} (for the progress trace). */
    int resultsSeen() {
        return resultsSeen;
    }

    /** Commands, results and dead-letter topics no phase used before, with their leaders known. */
    Topics topics(String name) throws Exception {
        TopicNames names = TopicNames.withPrefix("bench-" + name + "-" + UUID.randomUUID().toString().substring(0, 6)
                + ".");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(names.commands(), partitions, (short) 1),
                    new NewTopic(names.results(), partitions, (short) 1),
                    new NewTopic(names.deadLetter(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            await("leaders of " + names.commands()).atMost(java.time.Duration.ofSeconds(30))
                    .pollInterval(java.time.Duration.ofMillis(50)).until(() -> leadersKnown(admin, names));
        }
        return new Topics(names, registry, new AvroSerdeConfig("mock://bench", null, true, false));
    }

    /** False also while the new topics are not yet in the broker's metadata (describe answers "unknown topic"). */
    private static boolean leadersKnown(Admin admin, TopicNames names) throws InterruptedException {
        try {
            return admin.describeTopics(List.of(names.commands(), names.results())).allTopicNames().get().values()
                    .stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Produces {@code count} send commands, as fast as possible ({@code perSecond} 0) or at that rate, recording when
     * each was produced in {@code producedAt} (if not null).
     */
    void produce(Topics topics, int count, int perSecond, Map<String, Long> producedAt) {
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
                VerificationCommand c = command(numbers.getAndIncrement());
                if (producedAt != null) {
                    producedAt.put(c.getCommandId(), System.nanoTime());
                }
                p.send(new ProducerRecord<>(topics.names.commands(), c.getRequestId(), c));
            }
            p.flush();
        }
    }

    private static VerificationCommand command(int n) {
        return VerificationCommand.newBuilder().setCommandId("c-" + n)
                .setRequestId("r-" + n).setIssuedAt(Instant.now()).setDeadline(Instant.now().plusSeconds(600))
                .setSenderProfile("default")
                .setAction(SendCode.newBuilder().setPhoneNumber("+3519" + String.format("%08d", 10_000_000 + n))
                        .setCodeType("numeric").setCodeSize(6).setTtlSeconds(300).setMessage("Code {CODE}")
                        .build()).build();
    }

    /** Reads results until {@code expected}, the timeout or {@code gaveUp}; returns how many were read. */
    int awaitResults(Topics topics, int expected, Duration timeout, OnResult onResult, BooleanSupplier gaveUp) {
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
}
