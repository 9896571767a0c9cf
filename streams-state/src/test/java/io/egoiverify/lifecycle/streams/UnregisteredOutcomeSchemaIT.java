package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.testing.KafkaClusterExtension;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * With {@code auto.register.schemas=false} (production) and an outcome's subject not registered, the outcome cannot be
 * serialized: a deployment error, the same on every new thread. The lifecycle stops and says what to do, instead of
 * replacing its thread for ever while the partition waits and readiness says UP.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnregisteredOutcomeSchemaIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger serviceLog = (Logger) LoggerFactory.getLogger(LifecycleService.class);
    private LifecycleService service;

    @AfterEach
    void stop() {
        serviceLog.detachAppender(log);
        if (service != null) {
            service.close(Duration.ofSeconds(20));
        }
    }

    @Test
    void anOutcomeWhoseSubjectIsNotRegisteredStopsTheLifecycleWithWhatToDo() throws Exception {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        Topics topics = new Topics(TopicNames.withPrefix(KafkaClusterExtension.uniqueTopic("unreg") + "."), registry,
                new AvroSerdeConfig("mock://unregistered-it", null, false, false));
        KAFKA.createTopics(1, topics.names.all().values().toArray(String[]::new));
        // Only the input's subject is registered (as a client with auto-registration off needs it), no outcome's.
        registry.register(topics.names.resendRequested() + "-value", VerificationResendRequested.getClassSchema());
        log.start();
        serviceLog.addAppender(log);
        service = new LifecycleService(LifecycleOptions.of(topics, LifecycleConfig.defaults()
                .withApplicationId(topics.names.requested() + "-lifecycle")));
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("unregistered-it").toString());
        service.start(props);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(service::isRunning);

        // A resend nobody asked for is answered ResendRejected(UNKNOWN_REQUEST): a subject nobody registered.
        try (KafkaProducer<String, byte[]> producer = KAFKA.producer(new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.names.resendRequested(), "nobody", topics.resendRequested
                    .valueSerde().serializer().serialize(topics.names.resendRequested(),
                            Fixtures.resend("nobody", Instant.now())))).get(30, TimeUnit.SECONDS);
        }

        service.failed().get(60, TimeUnit.SECONDS);
        Awaitility.await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30))
                .until(() -> service.state() == KafkaStreams.State.ERROR);
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).noneMatch(line -> line.contains("replacing it"))
                .anySatisfy(line -> assertThat(line).startsWith("stream thread failed: an outcome cannot be serialized")
                        .contains(topics.names.resendRejected() + "-value")
                        .contains("egoi-verify schemas register"));
    }
}
