package io.egoiverify.schemas.serde;

import io.egoiverify.schemas.registry.SchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Utils;

/**
 * Chooses the value serde of every Avro topic. By default this project's {@link SpecificAvroSerde} over one shared
 * registry client. With {@code value.serde.class=<class name>} any other {@link Serde} with a public no-argument
 * constructor, instantiated reflectively and configured with all the properties: a user who has Confluent's jars on
 * the classpath selects theirs with
 * <pre>
 * value.serde.class=io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde
 * schema.registry.url=https://registry:8081
 * specific.avro.reader=true
 * </pre>
 * (Confluent's serde ignores the record class it is given; ours uses it as the reader schema.)
 */
public final class SerdeFactory {
    private final SchemaRegistryClient registry;
    private final AvroSerdeConfig serdeConfig;
    private final Map<String, ?> properties;
    private final String serdeClass;

    /**
     * @param registry   the shared client for this project's serde (ignored when another serde class is chosen)
     * @param properties all serde properties (Confluent's names), passed to a chosen serde's {@code configure}
     */
    public SerdeFactory(SchemaRegistryClient registry, Map<String, ?> properties) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.properties = Map.copyOf(new HashMap<>(Objects.requireNonNull(properties, "properties")));
        this.serdeConfig = AvroSerdeConfig.from(this.properties);
        Object chosen = this.properties.get(AvroSerdeConfig.VALUE_SERDE_CLASS);
        this.serdeClass = chosen == null || chosen.toString().isBlank() ? null : chosen.toString().trim();
    }

    /** Only this project's serde, with the given settings. */
    public SerdeFactory(SchemaRegistryClient registry, AvroSerdeConfig serdeConfig) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.serdeConfig = Objects.requireNonNull(serdeConfig, "serdeConfig");
        this.properties = Map.of();
        this.serdeClass = null;
    }

    /** The value serde for records of {@code type}. */
    public <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type) {
        if (serdeClass == null) {
            return new SpecificAvroSerde<>(registry, serdeConfig, type, false);
        }
        Serde<T> serde = instantiate(serdeClass);
        Map<String, Object> configs = new HashMap<>(properties);
        configs.putIfAbsent(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, type.getName());
        serde.configure(configs, false);
        return serde;
    }

    /** The class name configured in {@code value.serde.class}, or null for this project's serde. */
    public String serdeClass() {
        return serdeClass;
    }

    @SuppressWarnings("unchecked")
    private static <T> Serde<T> instantiate(String className) {
        try {
            return (Serde<T>) Utils.newInstance(className, Serde.class);
        } catch (ClassNotFoundException e) {
            throw new ConfigException(AvroSerdeConfig.VALUE_SERDE_CLASS, className, "class not found on the classpath");
        } catch (KafkaException | ClassCastException e) {
            throw new ConfigException(AvroSerdeConfig.VALUE_SERDE_CLASS, className,
                    "must be a Serde with a public no-argument constructor: " + e.getMessage());
        }
    }
}
