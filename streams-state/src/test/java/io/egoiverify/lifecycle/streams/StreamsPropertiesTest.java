package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The timings the lifecycle's clients really get, as Kafka Streams resolves them. */
@Timeout(20)
class StreamsPropertiesTest {
    private static final Topics TOPICS = new Topics(TopicNames.defaults(), new InMemorySchemaRegistry(),
            new AvroSerdeConfig("mock://streams-props", null, true, false));

    @Test
    void mainConsumerGetsTheSixSecondDefault() {
        Map<String, Object> consumer = mainConsumer(Map.of());
        assertThat(ms(consumer, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(6_000);
        assertThat(ms(consumer, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)).isEqualTo(1_000);
    }

    @Test
    void commitCadenceAndTransactionTimeoutDefaults() {
        StreamsConfig config = config(Map.of());
        assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(LifecycleService.COMMIT_INTERVAL_MS);
        assertThat(config.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(LifecycleService.COMMIT_INTERVAL_MS);
        assertThat(ms(config.getProducerConfigs("client"), ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))
                .isEqualTo(LifecycleService.TRANSACTION_TIMEOUT_MS);
        assertThat(ms(config.getProducerConfigs("client"), ProducerConfig.RETRY_BACKOFF_MS_CONFIG)).isEqualTo(10);
    }

    @Test
    void aDeadInstancesTransactionIsAbortedBeforeItsTasksMove() {
        // The coordinator aborts an expired transaction at its next check (every second on a broker set as the docs
        // say); the group notices a dead member one session timeout after its last heartbeat, at the earliest a
        // heartbeat interval after the kill's. An abort after that holds back the tasks the survivor has just taken.
        Map<String, Object> consumer = mainConsumer(Map.of());
        long abortAtTheLatest = ms(config(Map.of()).getProducerConfigs("client"),
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG) + 1_000;
        long detectedAtTheEarliest = ms(consumer, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)
                - ms(consumer, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
        assertThat(abortAtTheLatest).isLessThanOrEqualTo(detectedAtTheEarliest);
        // ...and a transaction, one commit interval long, is far from the timeout
        assertThat(LifecycleService.TRANSACTION_TIMEOUT_MS).isGreaterThan(100 * LifecycleService.COMMIT_INTERVAL_MS);
    }

    @Test
    void aRestartedInstanceTakesTasksOnlyOnceCaughtUp() {
        // Kafka's 10,000 let a crashed-and-restarted instance, its stores wiped, take active tasks of a young
        // changelog back and restore them while requests waited (the fail-over benchmark's second stall)
        assertThat(config(Map.of()).getLong(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG))
                .isEqualTo(LifecycleService.ACCEPTABLE_RECOVERY_LAG).isLessThan(10_000L);
        assertThat(config(Map.of("acceptable.recovery.lag", "50000"))
                .getLong(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG)).isEqualTo(50_000L);
    }

    @Test
    void operatorTimingsWin() {
        StreamsConfig config = config(Map.of("commit.interval.ms", "100", "poll.ms", "50",
                "transaction.timeout.ms", "9000"));
        assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100L);
        assertThat(config.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(50L);
        // a bare transaction.timeout.ms is not lost to the prefixed default
        assertThat(ms(config.getProducerConfigs("client"), ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))
                .isEqualTo(9_000);
    }

    @Test
    void bareKafkaSettingWinsOverTheDefault() {
        // The app's kafka.session.timeout.ms=6000 arrives as a bare session.timeout.ms, which Streams ranks below
        // consumer.*
        Map<String, Object> consumer = mainConsumer(Map.of("session.timeout.ms", "6000",
                "heartbeat.interval.ms", "1000"));
        assertThat(ms(consumer, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(6_000);
        assertThat(ms(consumer, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)).isEqualTo(1_000);
    }

    @Test
    void prefixedSettingsStillWin() {
        assertThat(ms(mainConsumer(Map.of("session.timeout.ms", "6000", "consumer.session.timeout.ms", "7000")),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(7_000);
        assertThat(ms(mainConsumer(Map.of("main.consumer.session.timeout.ms", "8000")),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(8_000);
    }

    /**
     * kafka.group.protocol=consumer (KIP-848) reaches every client; Streams accepts only classic or streams and
     * refused to start on it. The lifecycle leaves it out; Streams' own protocols pass through.
     */
    @Test
    void aConsumerGroupProtocolMeantForTheWorkerIsLeftOut() {
        StreamsConfig config = config(Map.of("group.protocol", "consumer"));
        assertThat(config.getString(StreamsConfig.GROUP_PROTOCOL_CONFIG)).isEqualTo("classic");
        assertThat(config(Map.of("group.protocol", "streams")).getString(StreamsConfig.GROUP_PROTOCOL_CONFIG))
                .isEqualTo("streams");
    }

    /** As the consumer parses it (Streams hands the raw property values through). */
    private static int ms(Map<String, Object> consumer, String key) {
        return Integer.parseInt(String.valueOf(consumer.get(key)));
    }

    private static Map<String, Object> mainConsumer(Map<String, Object> kafkaSettings) {
        return config(kafkaSettings).getMainConsumerConfigs("group", "client", 0);
    }

    private static StreamsConfig config(Map<String, Object> kafkaSettings) {
        Properties kafka = new Properties();
        kafka.putAll(kafkaSettings);
        kafka.put("bootstrap.servers", "127.0.0.1:9");
        return new StreamsConfig(LifecycleService.streamsProperties(TOPICS, LifecycleConfig.defaults(), kafka));
    }
}
