package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which timestamp a record gets: its own when valid, never a negative one, never an exception. */
@Timeout(10)
class InputTimestampsTest {
    private final InputTimestamps extractor = new InputTimestamps();

    private static ConsumerRecord<Object, Object> stamped(long timestamp) {
        return new ConsumerRecord<>("verification.code-submitted", 0, 7, timestamp, TimestampType.CREATE_TIME, 2,
                24, "r1", "value", new RecordHeaders(), Optional.empty());
    }

    @Test
    void aValidTimestampIsUsedAsItIs() {
        assertThat(extractor.extract(stamped(0), 5_000)).isZero();
        assertThat(extractor.extract(stamped(1_767_225_600_000L), 5_000)).isEqualTo(1_767_225_600_000L);
    }

    @Test
    void aTimestampAheadOfTheWallClockTakesTheWallClock() {
        long before = System.currentTimeMillis();
        long extracted = extractor.extract(stamped(before + 2 * 86_400_000L), 5_000);
        assertThat(extracted).isBetween(before, System.currentTimeMillis());
        assertThat(extractor.extract(stamped(Long.MAX_VALUE), 5_000)).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void aNegativeOneTakesThePartitionTime() {
        assertThat(extractor.extract(stamped(-1), 5_000)).isEqualTo(5_000);
        assertThat(extractor.extract(stamped(Long.MIN_VALUE), 0)).isZero();
    }

    @Test
    void aNegativeOneBeforeAnyPartitionTimeTakesTheWallClock() {
        long before = System.currentTimeMillis();
        long extracted = extractor.extract(stamped(-1), -1);
        assertThat(extracted).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void theServiceConfiguresItAsTheDefault() {
        Properties kafka = new Properties();
        kafka.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        kafka.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, "org.example.Other");
        Topics topics = new Topics(TopicNames.defaults(), new InMemorySchemaRegistry(),
                new AvroSerdeConfig("mock://timestamps", null, true, false));
        Properties p = LifecycleService.streamsProperties(topics, LifecycleConfig.defaults(), kafka);
        assertThat(p.getProperty(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG))
                .isEqualTo(InputTimestamps.class.getName());
        assertThat(new StreamsConfig(p).defaultTimestampExtractor()).isInstanceOf(InputTimestamps.class);
    }
}
