package io.egoiverify.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.VerificationVerified;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SerdeFactoryTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @Test
    void defaultsToThisProjectsSerde() {
        SerdeFactory factory = new SerdeFactory(registry, Map.of("schema.registry.url", "mock://x"));
        assertThat(factory.serdeClass()).isNull();
        assertThat(factory.valueSerde(VerificationVerified.class)).isInstanceOf(SpecificAvroSerde.class);
    }

    @Test
    void valueSerdeClassSelectsAnotherSerdeByNameAndConfiguresItWithEverything() {
        Map<String, Object> props = Map.of(
                "value.serde.class", StandInConfluentSerde.class.getName(),
                "schema.registry.url", "http://registry:8081",
                "specific.avro.reader", "true");
        SerdeFactory factory = new SerdeFactory(registry, props);
        Serde<VerificationVerified> serde = factory.valueSerde(VerificationVerified.class);
        assertThat(serde).isInstanceOf(StandInConfluentSerde.class);
        StandInConfluentSerde<?> chosen = (StandInConfluentSerde<?>) serde;
        assertThat(chosen.isKey).isFalse();
        assertThat(chosen.configs).containsEntry("schema.registry.url", "http://registry:8081")
                .containsEntry("specific.avro.reader", "true")
                .containsEntry("specific.avro.value.type", VerificationVerified.class.getName());
        assertThat(serde.serializer().serialize("t", null)).containsExactly(42);
    }

    @Test
    void topicsUseTheChosenSerdeForEveryAvroTopic() {
        Topics topics = new Topics(TopicNames.defaults(), new SerdeFactory(registry, Map.of(
                "value.serde.class", StandInConfluentSerde.class.getName(), "schema.registry.url", "mock://x")));
        assertThat(topics.requested.valueSerde()).isInstanceOf(StandInConfluentSerde.class);
        assertThat(topics.results.valueSerde()).isInstanceOf(StandInConfluentSerde.class);
    }

    @Test
    void anUnknownOrWrongClassIsAClearConfigError() {
        assertThatThrownBy(() -> new SerdeFactory(registry, Map.of("value.serde.class",
                "io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde")).valueSerde(VerificationVerified.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("value.serde.class")
                .hasMessageContaining("not found");
        assertThatThrownBy(() -> new SerdeFactory(registry, Map.of("value.serde.class", String.class.getName()))
                .valueSerde(VerificationVerified.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("Serde");
    }
}
