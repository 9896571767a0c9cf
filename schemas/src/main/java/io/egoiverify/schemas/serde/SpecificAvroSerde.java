package io.egoiverify.schemas.serde;

import io.egoiverify.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for one specific record type over a shared registry client; or, instantiated by class name (e.g. Kafka
 * Streams' {@code default.value.serde}), configured from properties like {@link SpecificAvroSerializer} and
 * {@link SpecificAvroDeserializer}.
 */
public final class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final SpecificAvroSerializer<T> serializer;
    private final SpecificAvroDeserializer<T> deserializer;

    /** For instantiation by class name; {@link #configure} must be called before use. */
    public SpecificAvroSerde() {
        this.serializer = new SpecificAvroSerializer<>();
        this.deserializer = new SpecificAvroDeserializer<>();
    }

    public SpecificAvroSerde(SchemaRegistryClient registry, AvroSerdeConfig config, Class<T> type) {
        this(registry, config, type, false);
    }

    public SpecificAvroSerde(SchemaRegistryClient registry, AvroSerdeConfig config, Class<T> type, boolean isKey) {
        this.serializer = new SpecificAvroSerializer<>(registry, config, isKey);
        this.deserializer = new SpecificAvroDeserializer<>(registry, type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public void close() {
        serializer.close();
        deserializer.close();
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
