package io.egoiverify.schemas.serde;

import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.registry.SchemaRegistryClients;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro into a specific record class, resolving the writer's schema (fetched by id, cached)
 * against the class's schema, so records written with an older or newer compatible schema are read.
 *
 * <p>Either construct it with a registry client and the record class, or let Kafka instantiate it by class name
 * ({@code value.deserializer=io.egoiverify.schemas.serde.SpecificAvroDeserializer}) and {@link #configure} it: the
 * record class comes from {@code specific.avro.value.type} (or {@code specific.avro.key.type}); without it, the class
 * generated for the writer schema's full name is used (like Confluent's {@code specific.avro.reader=true}).
 *
 * <p>Errors, never null for non-null input and never an NPE:
 * <ul>
 *   <li>{@link InvalidWireFormatException}: not Confluent-framed Avro (too short, wrong magic byte), a truncated or
 *       corrupt body, trailing bytes, or a writer schema that cannot be read as the reader's. A bad record.</li>
 *   <li>{@link io.egoiverify.schemas.registry.SchemaNotFoundException}: the registry says the id does not exist.
 *       A bad record.</li>
 *   <li>{@link io.egoiverify.schemas.registry.RegistryUnavailableException}: the registry cannot be reached.
 *   Retry.</li>
 * </ul>
 */
public final class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    static {
        AvroClassTrust.install();
    }

    private volatile State state;
    private final Map<Integer, Reader<T>> readers = new ConcurrentHashMap<>();

    /** For Kafka's instantiation by class name; {@link #configure} must be called before use. */
    public SpecificAvroDeserializer() {
    }

    public SpecificAvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.state = new State(Objects.requireNonNull(registry, "registry"),
                SpecificData.get().getSchema(Objects.requireNonNull(type, "type")), false);
    }

    /** Builds the registry client and reader type from {@code configs}, unless constructed with them. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (state != null) {
            return;
        }
        Object typeName = configs.get(isKey ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE
                : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE);
        Schema readerSchema = typeName == null ? null : schemaOf(typeName);
        state = new State(SchemaRegistryClients.fromConfig(configs), readerSchema, true);
    }

    private static Schema schemaOf(Object typeName) {
        Class<?> type;
        if (typeName instanceof Class<?> c) {
            type = c;
        } else {
            try {
                type = Class.forName(typeName.toString().trim(), true, Thread.currentThread().getContextClassLoader()
                        == null ? SpecificAvroDeserializer.class.getClassLoader()
                        : Thread.currentThread().getContextClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ConfigException("specific Avro type " + typeName + " is not on the classpath");
            }
        }
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new ConfigException("specific Avro type " + type.getName() + " is not a generated SpecificRecord");
        }
        return SpecificData.get().getSchema(type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        State s = state();
        int id = WireFormat.schemaId(topic, data);
        Reader<T> reader = readers.get(id); // lock-free when warm
        if (reader == null) {
            reader = readers.computeIfAbsent(id, i -> Reader.create(i, s.registry.byId(i), s.readerSchema));
        }
        if (reader.problem != null) {
            throw new InvalidWireFormatException(topic, reader.problem);
        }
        T value;
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
        try {
            value = reader.datumReader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            // EOFException: truncated; AvroRuntimeException and friends: corrupt body or unresolvable schemas.
            throw new InvalidWireFormatException(topic, "Avro body of " + data.length + " bytes cannot be read with "
                    + "writer schema id " + id + " (" + reader.writerName + ") as " + reader.readerName + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new InvalidWireFormatException(topic, "trailing bytes after the Avro body (schema id " + id
                        + ")");
            }
        } catch (IOException e) {
            throw new InvalidWireFormatException(topic, "cannot check the end of the Avro body", e);
        }
        if (value == null) {
            throw new InvalidWireFormatException(topic, "Avro body decoded to nothing (schema id " + id + ")");
        }
        return value;
    }

    private State state() {
        State s = state;
        if (s == null) {
            throw new IllegalStateException("SpecificAvroDeserializer is not configured: construct it with a registry"
                    + " and type, or call configure(Map, boolean)");
        }
        return s;
    }

    @Override
    public void close() {
        State s = state;
        if (s != null && s.ownsRegistry) {
            s.registry.close();
        }
    }

    private record State(SchemaRegistryClient registry, Schema readerSchema, boolean ownsRegistry) {
    }

    /** A reader for one writer schema id; or why records with that id cannot be read (cached: ids are immutable). */
    private record Reader<T>(SpecificDatumReader<T> datumReader, String writerName, String readerName,
                             String problem) {
        static <T> Reader<T> create(int id, Schema writer, Schema configuredReader) {
            Schema reader = configuredReader;
            if (reader == null) {
                Class<?> generated = SpecificData.get().getClass(writer);
                if (generated == null || !SpecificRecord.class.isAssignableFrom(generated)) {
                    return new Reader<>(null, writer.getFullName(), "?", "no generated class for writer schema id "
                            + id + " (" + writer.getFullName() + ") on the classpath");
                }
                reader = SpecificData.get().getSchema(generated);
            }
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return new Reader<>(null, writer.getFullName(), reader.getFullName(), "writer schema id " + id + " ("
                        + writer.getFullName() + ") cannot be read as " + reader.getFullName() + ": "
                        + compatibility.getDescription());
            }
            return new Reader<>(new SpecificDatumReader<>(writer, reader), writer.getFullName(), reader.getFullName(),
                    null);
        }
    }
}
