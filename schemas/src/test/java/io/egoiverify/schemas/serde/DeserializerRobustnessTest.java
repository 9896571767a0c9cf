package io.egoiverify.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.VerificationRequested;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.registry.SchemaNotFoundException;
import io.egoiverify.schemas.testdata.SampleRecords;
import io.egoiverify.testing.property.Gen;
import io.egoiverify.testing.property.Property;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whatever bytes arrive, the deserializer answers a record or one of its documented exceptions: never null for
 * non-null input, never an NPE or another undocumented exception.
 */
class DeserializerRobustnessTest {
    private static final String TOPIC = "verification.requested";
    private static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();
    private static final AvroSerdeConfig CONFIG = AvroSerdeConfig.from(Map.of("schema.registry.url", "mock://p"));
    private static final byte[] VALID = new SpecificAvroSerializer<VerificationRequested>(REGISTRY, CONFIG, false)
            .serialize(TOPIC, SampleRecords.of(VerificationRequested.class, 1));
    private static final byte[] OTHER_TYPE = new SpecificAvroSerializer<VerificationCommand>(REGISTRY, CONFIG, false)
            .serialize("commands", SampleRecords.of(VerificationCommand.class, 1));

    private final SpecificAvroDeserializer<VerificationRequested> deserializer =
            new SpecificAvroDeserializer<>(REGISTRY, VerificationRequested.class);

    /** Random bytes, or a valid frame of this or another record type with one byte changed and maybe cut short. */
    private static final Gen<byte[]> PAYLOADS = Gen.oneOf(Gen.byteArrays(0, 64), mutations(VALID),
            mutations(OTHER_TYPE));

    @Test
    void randomBytesGiveARecordOrADocumentedException() {
        Property.forAll(PAYLOADS).tries(2000).checkWithStatistics((payload, statistics) -> {
            try {
                assertThat(deserializer.deserialize(TOPIC, payload)).isNotNull();
                statistics.collect("answer", "record");
            } catch (InvalidWireFormatException | SchemaNotFoundException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                statistics.collect("answer", expected.getClass().getSimpleName());
            }
        }).requireAtLeast("answer", "InvalidWireFormatException", 1000) // each answer is reached (about 1,970 / 15 / 10
                .requireAtLeast("answer", "record", 1)                     // in 2,000 tries): far below, so never flaky
                .requireAtLeast("answer", "SchemaNotFoundException", 1);
    }

    /** A valid frame with one byte changed (after the header, so the schema id stays known) and maybe cut short. */
    private static Gen<byte[]> mutations(byte[] frame) {
        Gen<Integer> at = Gen.ints(5, frame.length - 1);
        Gen<Integer> length = Gen.ints(5, frame.length);
        return choices -> {
            int position = at.generate(choices);
            byte value = Gen.bytes().generate(choices);
            byte[] copy = Arrays.copyOf(frame, length.generate(choices));
            if (position < copy.length) {
                copy[position] = value;
            }
            return copy;
        };
    }
}
