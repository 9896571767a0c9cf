package io.egoiverify.schemas.serde;

import io.egoiverify.schemas.registry.RegisteredSchema;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.registry.SchemaRegistryClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes specific Avro records in the Confluent wire format, subject {@code <topic>-value} (or {@code -key})
 * (TopicNameStrategy).
 *
 * <p>Schema ids: registered when {@code auto.register.schemas=true} (default), else looked up without registering
 * (production inputs); with {@code use.latest.version=true} the subject's latest schema is used, and a record whose
 * class has another (compatible) schema is converted to it by Avro schema resolution. Each (subject, schema) costs one
 * registry call per serializer.
 *
 * <p>Either construct it with a registry client, or let Kafka instantiate it by class name
 * ({@code value.serializer=io.egoiverify.schemas.serde.SpecificAvroSerializer}) and {@link #configure} it from the
 * client's properties ({@code schema.registry.url}, ...); it then owns and closes its registry client.
 *
 * <p>Errors: registry errors as documented on {@link SchemaRegistryClient}; a record that cannot be encoded (a
 * required field is null, ...) gives {@link SerializationException} naming the record type and topic, never its data.
 */
public final class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    static {
        AvroClassTrust.install();
    }

    private volatile State state;
    private final Map<Target, Writer> writers = new ConcurrentHashMap<>();

    /** For Kafka's instantiation by class name; {@link #configure} must be called before use. */
    public SpecificAvroSerializer() {
    }

    public SpecificAvroSerializer(SchemaRegistryClient registry, AvroSerdeConfig config, boolean isKey) {
        this.state = new State(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(config, "config"),
                isKey, false);
    }

    /** Builds the registry client from {@code configs}, unless this instance was constructed with one. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (state != null) {
            return;
        }
        state = new State(SchemaRegistryClients.fromConfig(configs), AvroSerdeConfig.from(configs), isKey, true);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        State s = state();
        Schema schema = record.getSchema();
        String subject = topic + (s.isKey ? "-key" : "-value");
        Target target = new Target(subject, schema);
        Writer writer = writers.get(target); // lock-free when warm
        if (writer == null) {
            writer = writers.computeIfAbsent(target, t -> prepare(s, subject, schema));
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(WireFormat.MAGIC_BYTE);
            out.write(writer.id >>> 24);
            out.write(writer.id >>> 16);
            out.write(writer.id >>> 8);
            out.write(writer.id);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            // Avro's messages name the field and type, not the value: safe to pass on (records carry personal data).
            throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic " + topic + ": "
                    + e.getMessage(), e);
        }
    }

    private Writer prepare(State s, String subject, Schema schema) {
        if (s.config.useLatestVersion()) {
            RegisteredSchema latest = s.registry.latest(subject);
            if (latest.schema().equals(schema)) {
                return new Writer(latest.id(), new SpecificDatumWriter<>(schema), null);
            }
            // The record's class was generated from another version: resolve it to the registered one.
            return new Writer(latest.id(), new SpecificDatumWriter<>(schema),
                    new Conversion(schema, latest.schema()));
        }
        int id = s.config.autoRegisterSchemas() ? s.registry.register(subject, schema)
                : s.registry.idOf(subject, schema);
        return new Writer(id, new SpecificDatumWriter<>(schema), null);
    }

    private State state() {
        State s = state;
        if (s == null) {
            throw new IllegalStateException("SpecificAvroSerializer is not configured: construct it with a registry or"
                    + " call configure(Map, boolean)");
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

    private record State(SchemaRegistryClient registry, AvroSerdeConfig config, boolean isKey, boolean ownsRegistry) {
    }

    private record Target(String subject, Schema schema) {
    }

    /**
     * Re-encodes bytes written with the record's own schema as {@code target}, by schema resolution. Generic data
     * without logical-type conversions: timestamps pass through as the longs they are on the wire.
     */
    private static final class Conversion {
        private final GenericDatumReader<GenericRecord> reader;
        private final GenericDatumWriter<GenericRecord> writer;

        Conversion(Schema source, Schema target) {
            this.reader = new GenericDatumReader<>(source, target);
            this.writer = new GenericDatumWriter<>(target);
        }

        void write(byte[] sourceBytes, BinaryEncoder encoder) throws IOException {
            writer.write(reader.read(null, DecoderFactory.get().binaryDecoder(sourceBytes, null)), encoder);
        }
    }

    private final class Writer {
        final int id;
        final DatumWriter<T> datumWriter;
        final Conversion conversion;

        Writer(int id, DatumWriter<T> datumWriter, Conversion conversion) {
            this.id = id;
            this.datumWriter = datumWriter;
            this.conversion = conversion;
        }

        void write(T record, BinaryEncoder encoder) throws IOException {
            if (conversion == null) {
                datumWriter.write(record, encoder);
                return;
            }
            ByteArrayOutputStream sourceBytes = new ByteArrayOutputStream(256);
            BinaryEncoder sourceEncoder = EncoderFactory.get().directBinaryEncoder(sourceBytes, null);
            datumWriter.write(record, sourceEncoder);
            sourceEncoder.flush();
            conversion.write(sourceBytes.toByteArray(), encoder);
        }
    }
}
