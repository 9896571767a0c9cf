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
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The session timeout the lifecycle's main consumer really gets, as Kafka Streams resolves it. */
@Timeout(20)
class StreamsPropertiesTest {
    private static final Topics TOPICS = new Topics(TopicNames.defaults(), new InMemorySchemaRegistry(),
            new AvroSerdeConfig("mock://streams-props", null, true, false));

    @Test
    void mainConsumerGetsTheTenSecondDefault() {
        Map<String, Object> consumer = mainConsumer(Map.of());
        assertThat(ms(consumer, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(10_000);
        assertThat(ms(consumer, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)).isEqualTo(3_000);
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

    /** As the consumer parses it (Streams hands the raw property values through). */
    private static int ms(Map<String, Object> consumer, String key) {
        return Integer.parseInt(String.valueOf(consumer.get(key)));
    }

    private static Map<String, Object> mainConsumer(Map<String, Object> kafkaSettings) {
        Properties kafka = new Properties();
        kafka.putAll(kafkaSettings);
        kafka.put("bootstrap.servers", "127.0.0.1:9");
        StreamsConfig config = new StreamsConfig(LifecycleService.streamsProperties(TOPICS,
                LifecycleConfig.defaults(), kafka));
        return config.getMainConsumerConfigs("group", "client", 0);
    }
}
