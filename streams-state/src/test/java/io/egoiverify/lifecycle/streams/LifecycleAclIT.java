package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.DeadLetterLimit;
import io.egoiverify.schemas.topics.Topic;
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
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The lifecycle on a real broker that checks ACLs and refuses it something. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LifecycleAclIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension().withAuthorizer();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerdeConfig serde = new AvroSerdeConfig("mock://acl-it", null, true, false);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger serviceLog = (Logger) LoggerFactory.getLogger(LifecycleService.class);
    private LifecycleService service;

    @BeforeEach
    void captureLog() {
        log.start();
        serviceLog.addAppender(log);
    }

    @AfterEach
    void stop() {
        serviceLog.detachAppender(log);
        if (service != null) {
            service.close(Duration.ofSeconds(20));
        }
    }

    /** Stream threads fail on purpose here: that is not a test failure. */
    private static ConditionFactory await() {
        return Awaitility.await().dontCatchUncaughtExceptions();
    }

    private Topics topics(String prefix) {
        Topics topics = new Topics(TopicNames.withPrefix(KafkaClusterExtension.uniqueTopic(prefix) + "."), registry,
                serde);
        KAFKA.createTopics(1, topics.names.all().values().toArray(String[]::new));
        return topics;
    }

    private void start(Topics topics) throws Exception {
        start(topics, LifecycleConfig.defaults().withApplicationId(applicationId(topics)));
    }

    private void start(Topics topics, LifecycleConfig config) throws Exception {
        service = new LifecycleService(LifecycleOptions.of(topics, config));
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("lifecycle-acl-it").toString());
        service.start(props);
    }

    private static String applicationId(Topics topics) {
        return topics.names.requested() + "-lifecycle";
    }

    private <V> void send(Topic<String, V> topic, String key, V value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = KAFKA.producer(new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, topic.valueSerde().serializer()
                    .serialize(topic.name(), value))).get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The lifecycle stops for good, says why, and does not replace its thread: before, a new thread was refused the
     * same way every session timeout (6 s) for ever, and the instance was RUNNING (ready) in between.
     */
    private void assertStopsWithTheCause(String refused) throws Exception {
        service.failed().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> service.state() == KafkaStreams.State.ERROR);
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).noneMatch(line -> line.contains("replacing it"))
                .anySatisfy(line -> assertThat(line).startsWith("stream thread failed: the broker refused an operation")
                        .contains("Not authorized to access " + refused).contains("stopping the lifecycle"));
    }

    @Test
    void writeRefusedOnAnOutcomeTopicStopsTheLifecycleInsteadOfReplacingItsThreadForEver() throws Exception {
        Topics topics = topics("lw");
        KAFKA.deny(ResourceType.TOPIC, topics.names.resendRejected(), AclOperation.WRITE);
        start(topics);
        await().atMost(Duration.ofSeconds(60)).until(service::isRunning);
        // a resend for a request nobody made is answered on resend-rejected, which this lifecycle may not write
        send(topics.resendRequested, "nobody", Fixtures.resend("nobody", Instant.now()));
        assertStopsWithTheCause("topics: [" + topics.names.resendRejected() + "]");
    }

    @Test
    void readRefusedOnAnInputTopicStopsTheLifecycleInsteadOfReplacingItsThreadForEver() throws Exception {
        Topics topics = topics("lr");
        KAFKA.deny(ResourceType.TOPIC, topics.names.requested(), AclOperation.READ);
        start(topics);
        assertStopsWithTheCause("topics: [" + topics.names.requested() + "]");
    }

    /**
     * DescribeConfigs is optional (ops/README's ACL table): refused on the dead-letter and command topics, the
     * lifecycle (per-number limits on: the number guard's topics are created) starts with the fallbacks (dead letters
     * cut to the producer's limit, a day's permit retention) and says so.
     */
    @Test
    void describeConfigsRefusedFallsBackAndStarts() throws Exception {
        Topics topics = topics("ld");
        KAFKA.deny(ResourceType.TOPIC, topics.names.deadLetter(), AclOperation.DESCRIBE_CONFIGS);
        KAFKA.deny(ResourceType.TOPIC, topics.names.commands(), AclOperation.DESCRIBE_CONFIGS);
        ListAppender<ILoggingEvent> fallbacks = new ListAppender<>();
        fallbacks.start();
        Logger limitLog = (Logger) LoggerFactory.getLogger(DeadLetterLimit.class);
        Logger guardLog = (Logger) LoggerFactory.getLogger(GuardTopics.class);
        limitLog.addAppender(fallbacks);
        guardLog.addAppender(fallbacks);
        try {
            start(topics, LifecycleConfig.defaults().withApplicationId(applicationId(topics))
                    .withAbuse(AbuseLimits.defaults(new byte[32])));
            await().atMost(Duration.ofSeconds(60)).until(service::isRunning);
        } finally {
            limitLog.detachAppender(fallbacks);
            guardLog.detachAppender(fallbacks);
        }
        assertThat(fallbacks.list.stream().map(ILoggingEvent::getFormattedMessage))
                .anySatisfy(line -> assertThat(line).startsWith("cannot read max.message.bytes of the dead-letter "
                        + "topic " + topics.names.deadLetter()).contains("TopicAuthorizationException"))
                .anySatisfy(line -> assertThat(line).startsWith("cannot read the retention of topic "
                        + topics.names.commands()));
    }

    @Test
    void readRefusedOnItsGroupStopsTheLifecycle() throws Exception {
        Topics topics = topics("lg");
        KAFKA.deny(ResourceType.GROUP, applicationId(topics), AclOperation.READ);
        start(topics);
        assertStopsWithTheCause("group: " + applicationId(topics));
    }
}
