package io.egoiverify.schemas.serde;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Stands in for {@code io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde} (Confluent's jars cannot be had
 * here): public, no-argument constructor, configured from properties. Remembers its configuration.
 */
public final class StandInConfluentSerde<T> implements Serde<T> {
    Map<String, Object> configs;
    Boolean isKey;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.configs = new java.util.HashMap<>(configs);
        this.isKey = isKey;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> new byte[] {42};
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> null;
    }
}
