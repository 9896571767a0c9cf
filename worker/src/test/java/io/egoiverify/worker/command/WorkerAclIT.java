package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.testing.KafkaClusterExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The worker on a real broker that checks ACLs and refuses it something. */
@Timeout(120)
class WorkerAclIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension().withAuthorizer();

    private final Topics topics = new Topics(TopicNames.withPrefix(KafkaClusterExtension.uniqueTopic("acl") + "."),
            new InMemorySchemaRegistry(), new AvroSerdeConfig("mock://acl-it", null, true, false));
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger workerLog = (Logger) LoggerFactory.getLogger(CommandWorker.class);
    private final ListAppender<ILoggingEvent> consumerLog = new ListAppender<>();
    private final Logger consumerLogger = (Logger) LoggerFactory.getLogger("org.apache.kafka.clients.consumer");
    private CommandWorker worker;

    @AfterEach
    void stop() {
        workerLog.detachAppender(log);
        consumerLogger.detachAppender(consumerLog);
        if (worker != null) {
            worker.close(Duration.ofSeconds(2));
        }
    }

    @Test
    void aDeadLetterTheBrokerRefusesToWriteStopsTheWorkerOnItsOwnWithTheCauseAndKeepsTheCommand() throws Exception {
        TopicNames names = topics.names;
        KAFKA.createTopics(1, names.commands(), names.results(), names.deadLetter());
        KAFKA.deny(ResourceType.TOPIC, names.deadLetter(), AclOperation.WRITE);
        // the refusal is real: any producer is refused the dead-letter topic
        try (KafkaProducer<byte[], byte[]> plain = KAFKA.producer(new ByteArraySerializer(),
                new ByteArraySerializer())) {
            assertThatThrownBy(() -> plain.send(new ProducerRecord<>(names.deadLetter(), new byte[1])).get(30,
                    TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        log.start();
        workerLog.addAppender(log);
        consumerLog.start();
        consumerLogger.addAppender(consumerLog);
        AtomicInteger executed = new AtomicInteger();
        CommandHandler handler = command -> {
            executed.incrementAndGet();
            return new CompletableFuture<VerificationCommandResult>();
        };
        String group = "group-" + names.commands();
        worker = new CommandWorker(WorkerConfig.of(KAFKA.bootstrapServers(), "acl-worker", names).withGroupId(group),
                topics, handler, Clock.systemUTC(), WorkerMetrics.NONE);
        worker.start();
        await().atMost(Duration.ofSeconds(30)).until(worker::isJoined);

        // A command without a key cannot be read: the worker's only answer is a dead letter, which the broker refuses.
        try (KafkaProducer<byte[], byte[]> raw = KAFKA.producer(new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(names.commands(), null, "no key".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }

        assertThat(worker.ended().get(60, TimeUnit.SECONDS)).as("ended without being asked").isTrue();
        assertThat(worker.failure()).hasValueSatisfying(why -> assertThat(why).startsWith("cannot commit: ")
                .contains(TopicAuthorizationException.class.getName()));
        assertThat(worker.isJoined()).isFalse();
        assertThat(executed).hasValue(0);
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).startsWith("Command worker acl-worker cannot commit: ")
                        .contains("refused: " + TopicAuthorizationException.class.getName())
                        .contains("Not authorized to access topics: [" + names.deadLetter() + "]")
                        .contains("in " + ResultTransaction.MAX_REFUSALS + " transactions in a row")
                        .contains("check the topic's Write ACL"));
        // The one line above says why; closing makes no commit that would fail the same way and bury it in stack
        // traces (the consumer's revoke callback used to try one, logged at ERROR twice).
        assertThat(consumerLog.list).filteredOn(e -> e.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        // Nothing committed: the command is read again (and dead-lettered, once allowed) after the restart.
        assertThat(KAFKA.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS)).isEmpty();
        try (KafkaConsumer<byte[], byte[]> reader = KAFKA.consumer("reader-" + UUID.randomUUID(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            reader.subscribe(List.of(names.deadLetter(), names.results()));
            assertThat(KafkaClusterExtension.consume(reader, 1, Duration.ofSeconds(2))).isEmpty();
        }
    }
}
