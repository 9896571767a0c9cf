package io.egoiverify.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.registry.RegistryUnavailableException;
import io.egoiverify.schemas.registry.SchemaNotFoundException;
import io.egoiverify.schemas.registry.SchemaRegistryClients;
import io.egoiverify.schemas.testdata.SampleRecords;
import io.egoiverify.schemas.testdata.SchemaEdits;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpecificAvroSerdeTest {
    private static final String TOPIC = "verification.requested";
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerdeConfig config = AvroSerdeConfig.from(Map.of("schema.registry.url", "mock://unit"));

    static Iterable<Class<? extends SpecificRecord>> allTypes() {
        return SampleRecords.ALL_TYPES;
    }

    @ParameterizedTest
    @MethodSource("allTypes")
    <T extends SpecificRecord> void everyContractRecordRoundTripsInTheConfluentFraming(Class<T> type) {
        T record = SampleRecords.of(type, 1);
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(registry, config, type);
        byte[] bytes = serde.serializer().serialize("t", record);
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registry.latest("t-value").id());
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(record);
    }

    @Test
    void timestampsAreInstantsAndNullsStayNull() {
        SpecificAvroSerde<VerificationRequested> serde = serde();
        VerificationRequested minimal = VerificationRequested.newBuilder().setRequestId("r-1")
                .setPhoneNumber("+351910000000").setRequestedAt(Instant.ofEpochMilli(1_700_000_000_123L)).build();
        VerificationRequested read = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC,
                minimal));
        assertThat(read.getRequestedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(read.getCodeType()).isNull();
        assertThat(read.getMetadata()).isEmpty();
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void nonAvroPayloadIsInvalidWireFormat() {
        byte[] json = "{\"requestId\":\"r-1\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, json))
                .isExactlyInstanceOf(InvalidWireFormatException.class)
                .hasMessageContaining(TOPIC).hasMessageContaining("magic byte is 0x7b");
    }

    @Test
    void wrongMagicByteIsInvalidWireFormat() {
        byte[] bytes = validBytes();
        bytes[0] = 1;
        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, bytes))
                .isExactlyInstanceOf(InvalidWireFormatException.class).hasMessageContaining("expected 0x00");
    }

    @Test
    void shortOrEmptyPayloadsAreInvalidWireFormat() {
        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, new byte[0]))
                .isExactlyInstanceOf(InvalidWireFormatException.class).hasMessageContaining("0 bytes");
        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, new byte[] {0, 0, 0}))
                .isExactlyInstanceOf(InvalidWireFormatException.class).hasMessageContaining("5-byte");
    }

    @Test
    void truncatedRecordIsInvalidWireFormat() {
        byte[] bytes = validBytes();
        for (int length = 5; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, truncated))
                    .as("cut at %d of %d bytes", length, bytes.length)
                    .isExactlyInstanceOf(InvalidWireFormatException.class)
                    .hasMessageContaining("schema id");
        }
    }

    @Test
    void trailingOrCorruptBytesAreInvalidWireFormat() {
        byte[] bytes = validBytes();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, longer))
                .isExactlyInstanceOf(InvalidWireFormatException.class).hasMessageContaining("trailing bytes");
        byte[] corrupt = bytes.clone();
        corrupt[5] = (byte) 0x81; // a string length that is negative/huge
        corrupt[6] = (byte) 0xff;
        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, corrupt))
                .isInstanceOf(InvalidWireFormatException.class);
    }

    @Test
    void unknownSchemaIdIsSchemaNotFound() {
        byte[] bytes = validBytes();
        ByteBuffer.wrap(bytes).putInt(1, 424242);
        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, bytes))
                .isExactlyInstanceOf(SchemaNotFoundException.class).hasMessageContaining("424242");
    }

    @Test
    void aRecordOfAnotherTypeIsInvalidWireFormatNamingBothTypes() {
        SpecificAvroSerde<CodeSubmitted> other = new SpecificAvroSerde<>(registry, config, CodeSubmitted.class);
        byte[] bytes = other.serializer().serialize("x", SampleRecords.of(CodeSubmitted.class, 1));
        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, bytes))
                .isExactlyInstanceOf(InvalidWireFormatException.class)
                .hasMessageContaining("io.egoiverify.events.CodeSubmitted")
                .hasMessageContaining("io.egoiverify.events.VerificationRequested");
    }

    @Test
    void registryDownIsUnavailableNotABadRecord() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Deserializer<VerificationRequested> deserializer = new SpecificAvroDeserializer<>();
        deserializer.configure(Map.of("schema.registry.url", "http://127.0.0.1:" + closedPort,
                "http.connect.timeout.ms", "500"), false);
        byte[] bytes = validBytes();
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
                .isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("cannot be reached");
        deserializer.close();
    }

    @Test
    void aRequiredFieldLeftNullIsASerializationExceptionNotAnNpe() {
        VerificationRequested broken = SampleRecords.of(VerificationRequested.class, 1);
        broken.setPhoneNumber(null);
        assertThatThrownBy(() -> serde().serializer().serialize(TOPIC, broken))
                .isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining("VerificationRequested").hasMessageContaining(TOPIC);
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaIsSchemaNotFound() {
        AvroSerdeConfig noAuto = AvroSerdeConfig.from(Map.of("schema.registry.url", "mock://x",
                "auto.register.schemas", "false"));
        SpecificAvroSerializer<VerificationRequested> serializer = new SpecificAvroSerializer<>(registry, noAuto,
                false);
        VerificationRequested record = SampleRecords.of(VerificationRequested.class, 1);
        assertThatThrownBy(() -> serializer.serialize(TOPIC, record)).isInstanceOf(SchemaNotFoundException.class);
        registry.register(TOPIC + "-value", VerificationRequested.getClassSchema());
        assertThat(serializer.serialize(TOPIC, record)).isNotNull();
    }

    @Test
    void useLatestVersionWritesTheRegisteredNewerSchema() {
        Schema v2 = SchemaEdits.withOptionalField(VerificationRequested.getClassSchema(), "extra");
        int v2Id = registry.register(TOPIC + "-value", v2);
        SpecificAvroSerializer<VerificationRequested> serializer = new SpecificAvroSerializer<>(registry,
                AvroSerdeConfig.from(Map.of("schema.registry.url", "mock://x", "use.latest.version", "true")), false);
        VerificationRequested record = SampleRecords.of(VerificationRequested.class, 2);
        byte[] bytes = serializer.serialize(TOPIC, record);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(v2Id);
        assertThat(serde().deserializer().deserialize(TOPIC, bytes)).isEqualTo(record);
    }

    @Test
    void anEnumSymbolThisReaderDoesNotKnowIsReadAsUnknown() throws Exception {
        Schema newer = SchemaEdits.withEnumSymbol(VerificationRequested.getClassSchema(), "CodeType", "EMOJI");
        int id = registry.register(TOPIC + "-value", newer);
        org.apache.avro.generic.GenericData.Record record = (org.apache.avro.generic.GenericData.Record)
                SampleRecords.value(newer, 1, "VerificationRequested");
        Schema codeType = newer.getField("codeType").schema().getTypes().get(1);
        record.put("codeType", new org.apache.avro.generic.GenericData.EnumSymbol(codeType, "EMOJI"));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<Object>(newer).write(record, encoder);
        encoder.flush();
        VerificationRequested read = serde().deserializer().deserialize(TOPIC, out.toByteArray());
        assertThat(read.getCodeType()).isEqualTo(io.egoiverify.events.CodeType.UNKNOWN);
    }

    @Test
    void kafkaCanInstantiateAndConfigureThemByClassName() throws Exception {
        Map<String, Object> props = Map.of("schema.registry.url", "mock://by-name",
                "specific.avro.value.type", VerificationRequested.class.getName());
        try {
            @SuppressWarnings("unchecked")
            Serializer<VerificationRequested> serializer = Utils.newInstance(
                    "io.egoiverify.schemas.serde.SpecificAvroSerializer", Serializer.class);
            @SuppressWarnings("unchecked")
            Deserializer<VerificationRequested> deserializer = Utils.newInstance(
                    "io.egoiverify.schemas.serde.SpecificAvroDeserializer", Deserializer.class);
            @SuppressWarnings("unchecked")
            Deserializer<SpecificRecord> specificReader = Utils.newInstance(
                    "io.egoiverify.schemas.serde.SpecificAvroDeserializer", Deserializer.class);
            serializer.configure(props, false);
            deserializer.configure(props, false);
            specificReader.configure(Map.of("schema.registry.url", "mock://by-name"), false);
            VerificationRequested record = SampleRecords.of(VerificationRequested.class, 3);
            byte[] bytes = serializer.serialize(TOPIC, record);
            assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(record);
            assertThat(specificReader.deserialize(TOPIC, bytes)).isEqualTo(record);
            serializer.close();
            deserializer.close();
        } finally {
            SchemaRegistryClients.dropMockScope("by-name");
        }
    }

    @Test
    void unconfiguredOrMisconfiguredSerdesFailClearly() {
        assertThatThrownBy(() -> new SpecificAvroSerializer<VerificationRequested>().serialize(TOPIC,
                SampleRecords.of(VerificationRequested.class, 1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("configure");
        assertThatThrownBy(() -> new SpecificAvroDeserializer<>().configure(Map.of("schema.registry.url", "mock://m",
                "specific.avro.value.type", "no.such.Type"), false))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class).hasMessageContaining("no.such.Type");
    }

    private SpecificAvroSerde<VerificationRequested> serde() {
        return new SpecificAvroSerde<>(registry, config, VerificationRequested.class);
    }

    private byte[] validBytes() {
        return serde().serializer().serialize(TOPIC, SampleRecords.of(VerificationRequested.class, 1));
    }
}
