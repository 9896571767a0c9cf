package io.egoiverify.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.VerificationRequested;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.registry.SchemaNotFoundException;
import io.egoiverify.schemas.testdata.SampleRecords;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

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

    @Property(tries = 2000)
    void randomBytesGiveARecordOrADocumentedException(@ForAll("payloads") byte[] payload) {
        try {
            assertThat(deserializer.deserialize(TOPIC, payload)).isNotNull();
        } catch (InvalidWireFormatException | SchemaNotFoundException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> mutatedValid = mutations(VALID);
        Arbitrary<byte[]> mutatedOther = mutations(OTHER_TYPE);
        return Arbitraries.oneOf(random, mutatedValid, mutatedOther);
    }

    /** A valid frame with one byte changed (after the header, so the schema id stays known) and maybe cut short. */
    private static Arbitrary<byte[]> mutations(byte[] frame) {
        return Combinators.combine(Arbitraries.integers().between(5, frame.length - 1), Arbitraries.bytes(),
                Arbitraries.integers().between(5, frame.length)).as((at, value, length) -> {
                    byte[] copy = java.util.Arrays.copyOf(frame, length);
                    if (at < length) {
                        copy[at] = value;
                    }
                    return copy;
                });
    }
}
