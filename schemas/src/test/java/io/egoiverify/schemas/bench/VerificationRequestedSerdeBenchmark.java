package io.egoiverify.schemas.bench;

import io.egoiverify.events.CodeType;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.serde.SpecificAvroDeserializer;
import io.egoiverify.schemas.serde.SpecificAvroSerializer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serialize + deserialize throughput of {@link VerificationRequested} with a warm cache: after the first record, the
 * serializer and deserializer answer schema ids and readers from their own caches, so the registry (in memory here;
 * the HTTP client behaves the same once warm) is not on the measured path. Run as schemas/README.md says.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class VerificationRequestedSerdeBenchmark {
    private static final String TOPIC = "verification.requested";

    private SpecificAvroSerializer<VerificationRequested> serializer;
    private SpecificAvroDeserializer<VerificationRequested> deserializer;
    private VerificationRequested record;
    private byte[] bytes;

    @Setup
    public void setUp() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        serializer = new SpecificAvroSerializer<>(registry,
                AvroSerdeConfig.from(Map.of("schema.registry.url", "mock://bench")), false);
        deserializer = new SpecificAvroDeserializer<>(registry, VerificationRequested.class);
        // A typical request: every optional field set, two metadata entries.
        record = VerificationRequested.newBuilder()
                .setRequestId("signup-2f9c1d7e-0b4a-4d3e-9b1e-1c2d3e4f5a6b")
                .setPhoneNumber("+351910000000")
                .setCodeType(CodeType.NUMERIC).setCodeSize(6).setTtlSeconds(300)
                .setMessage("Your verification code is {CODE}").setGroup("signup").setMaxAttempts(3)
                .setSenderProfile("default").setRequestedAt(Instant.parse("2026-01-01T10:00:00Z"))
                .setMetadata(Map.of("userId", "u-123456", "traceparent",
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .build();
        bytes = serializer.serialize(TOPIC, record); // warms both caches
        deserializer.deserialize(TOPIC, bytes);
    }

    @Benchmark
    public byte[] serialize() {
        return serializer.serialize(TOPIC, record);
    }

    @Benchmark
    public VerificationRequested deserialize() {
        return deserializer.deserialize(TOPIC, bytes);
    }

    @Benchmark
    public VerificationRequested serializeThenDeserialize() {
        return deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, record));
    }
}
