package io.egoiverify.schemas.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.schemas.testdata.SampleRecords;
import io.egoiverify.schemas.testdata.SchemaEdits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The build's evolution guard: each current public contract schema must be FULL compatible with every committed
 * baseline under src/main/avro-baselines/&lt;RecordName&gt;/v&lt;N&gt;.avsc (FULL_TRANSITIVE); each internal schema
 * ({@code io.egoiverify.internal}) must read every baseline (BACKWARD_TRANSITIVE: workers, the readers of commands,
 * are upgraded before the lifecycle starts writing a new command kind). When a version is released, copy its .avsc
 * there as the next vN.avsc; never edit or delete a baseline.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EvolutionGuardTest {
    private static final Path BASELINES = Paths.get("src/main/avro-baselines");
    private static final Schema REQUESTED = VerificationRequested.getClassSchema();

    @Test
    void everyCurrentSchemaIsFullCompatibleWithEveryBaseline() throws IOException {
        Map<String, List<String>> failures = new TreeMap<>();
        for (Class<? extends SpecificRecord> type : SampleRecords.ALL_TYPES) {
            Schema current = SpecificData.get().getSchema(type);
            List<Path> baselines = baselinesOf(current.getName());
            assertThat(baselines).as("baselines of %s (at least v1.avsc)", current.getName()).isNotEmpty();
            for (Path baseline : baselines) {
                Schema old = new Schema.Parser().parse(baseline.toFile());
                List<String> problems = isInternal(current) ? EvolutionGuard.backwardProblems(current, old)
                        : EvolutionGuard.problems(current, old);
                if (!problems.isEmpty()) {
                    failures.put(current.getName() + " vs " + baseline, problems);
                }
            }
        }
        assertThat(failures).as("schemas that break FULL_TRANSITIVE compatibility").isEmpty();
    }

    @Test
    void anOldVerificationSentReaderReadsARecordWithSendCount() throws IOException {
        Schema v1 = new Schema.Parser().parse(BASELINES.resolve("VerificationSent/v1.avsc").toFile());
        Schema current = VerificationSent.getClassSchema();
        assertThat(current.getField("sendCount")).as("the resend field").isNotNull();
        assertThat(v1.getField("sendCount")).as("the v1 baseline predates it").isNull();
        assertThat(EvolutionGuard.problems(current, v1)).isEmpty();
        GenericRecord read = EvolutionGuard.readAs(SampleRecords.value(current, 3, "VerificationSent"), current, v1);
        assertThat(read.get("requestId")).hasToString("requestId-3");
        assertThat(read.hasField("sendCount")).isFalse();
    }

    @Test
    void aNewCommandKindIsReadableByTheCurrentWorkerButNotByAnOldOne() throws IOException {
        Schema v1 = new Schema.Parser().parse(BASELINES.resolve("VerificationCommand/v1.avsc").toFile());
        Schema current = VerificationCommand.getClassSchema();
        assertThat(EvolutionGuard.backwardProblems(current, v1)).isEmpty();
        assertThat(EvolutionGuard.problems(current, v1)).as("an old worker cannot read a cancel or resend command")
                .anySatisfy(p -> assertThat(p).contains("baseline reading current"));
    }

    @Test
    void everyBaselineBelongsToAContractRecord() throws IOException {
        List<String> names = SampleRecords.ALL_TYPES.stream()
                .map(t -> SpecificData.get().getSchema(t).getName()).toList();
        try (Stream<Path> dirs = Files.list(BASELINES)) {
            assertThat(dirs.map(d -> d.getFileName().toString())).allMatch(names::contains);
        }
    }

    @Test
    void anAddedOptionalFieldIsAccepted() {
        assertThat(EvolutionGuard.problems(SchemaEdits.withOptionalField(REQUESTED, "locale"), REQUESTED)).isEmpty();
    }

    @Test
    void anAddedEnumSymbolIsAcceptedBecauseEveryEnumDefaultsToUnknown() {
        assertThat(EvolutionGuard.problems(SchemaEdits.withEnumSymbol(REQUESTED, "CodeType", "EMOJI"), REQUESTED))
                .isEmpty();
    }

    @Test
    void removingAFieldWithoutDefaultIsRejected() {
        assertThat(EvolutionGuard.problems(SchemaEdits.withoutField(REQUESTED, "phoneNumber"), REQUESTED))
                .anySatisfy(p -> assertThat(p).contains("baseline reading current").contains("phoneNumber"));
    }

    @Test
    void renamingAFieldIsRejected() {
        assertThat(EvolutionGuard.problems(SchemaEdits.withRenamedField(REQUESTED, "phoneNumber", "msisdn"),
                REQUESTED)).isNotEmpty();
    }

    @Test
    void changingTheNamespaceIsRejectedThoughAvrosCheckAloneWouldPassIt() {
        Schema moved = SchemaEdits.withNamespace(REQUESTED, "com.example.events");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(moved, REQUESTED).getType())
                .as("Avro's SchemaCompatibility alone").isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(EvolutionGuard.problems(moved, REQUESTED))
                .anySatisfy(p -> assertThat(p).contains("com.example.events.VerificationRequested"));
    }

    @Test
    void aMovedEnumPassesAvrosCheckButFailsTheRoundTrip() {
        Schema codeType = new Schema.Parser().parse("{\"type\":\"enum\",\"name\":\"CodeType\","
                + "\"namespace\":\"io.egoiverify.events\",\"symbols\":[\"NUMERIC\",\"UNKNOWN\"],"
                + "\"default\":\"UNKNOWN\"}");
        Schema moved = SchemaEdits.withNamespace(codeType, "com.example.events");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(moved, codeType).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(EvolutionGuard.problems(moved, codeType))
                .anySatisfy(p -> assertThat(p).contains("fails").contains("expecting union"));
    }

    private static boolean isInternal(Schema schema) {
        return "io.egoiverify.internal".equals(schema.getNamespace());
    }

    private static List<Path> baselinesOf(String recordName) throws IOException {
        Path dir = BASELINES.resolve(recordName);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(files.filter(f -> f.getFileName().toString().matches("v\\d+\\.avsc")).sorted()
                    .toList());
        }
    }
}
