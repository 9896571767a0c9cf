package io.egoiverify.schemas.evolution;

import io.egoiverify.schemas.testdata.SampleRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * FULL compatibility between two versions of a schema, checked two ways, both directions (new reads old, old reads
 * new):
 * <ol>
 *   <li>Avro's {@link SchemaCompatibility};</li>
 *   <li>an actual write with one and read with the other, plain and through a nullable-union-wrapped copy
 *       ({@code ["null", schema]}) of the reader: SchemaCompatibility calls a namespace change compatible, yet a named
 *       type read into a union is resolved by full name, so the read fails (Avro 1.12 still matches records by
 *       structure, but not enums);</li>
 *   <li>full names: every named type (record, enum, fixed) of one version that the other has under the same simple
 *       name must have the same full name. Other implementations (e.g. the JavaScript clients of the Confluent
 *       ecosystem) resolve union branches strictly by full name, so a moved record breaks them even where Java's
 *       lenient resolution copes.</li>
 * </ol>
 * Run against every committed baseline, this is FULL_TRANSITIVE. {@link #backwardProblems} checks one direction only
 * (the current schema reads what every baseline wrote: BACKWARD_TRANSITIVE), the policy of the internal topics,
 * whose readers are deployed before their writers (a new command kind needs a worker that knows it).
 */
public final class EvolutionGuard {
    private static final int SAMPLES = 12; // enough seeds to take every union branch and enum symbol

    private EvolutionGuard() {
    }

    /** What makes {@code current} and {@code baseline} incompatible; empty when they are FULL compatible. */
    public static List<String> problems(Schema current, Schema baseline) {
        List<String> problems = new ArrayList<>();
        compatibility("current reading baseline", current, baseline, problems);
        compatibility("baseline reading current", baseline, current, problems);
        roundTrip("written with baseline, read with current", baseline, current, problems);
        roundTrip("written with current, read with baseline", current, baseline, problems);
        fullNames(current, baseline, problems);
        return problems;
    }

    /** What keeps {@code current} from reading data written with {@code baseline}; empty when BACKWARD compatible. */
    public static List<String> backwardProblems(Schema current, Schema baseline) {
        List<String> problems = new ArrayList<>();
        compatibility("current reading baseline", current, baseline, problems);
        roundTrip("written with baseline, read with current", baseline, current, problems);
        fullNames(current, baseline, problems);
        return problems;
    }

    private static void fullNames(Schema current, Schema baseline, List<String> problems) {
        Map<String, String> currentNames = namedTypes(current, new HashMap<>());
        namedTypes(baseline, new HashMap<>()).forEach((simple, full) -> {
            String now = currentNames.get(simple);
            if (now != null && !now.equals(full)) {
                problems.add("named type " + full + " is now " + now + ": readers resolve union branches by full name");
            }
        });
    }

    /** Simple name to full name of every named type reachable from {@code schema}. */
    private static Map<String, String> namedTypes(Schema schema, Map<String, String> names) {
        switch (schema.getType()) {
            case RECORD -> {
                if (names.putIfAbsent(schema.getName(), schema.getFullName()) == null) {
                    schema.getFields().forEach(f -> namedTypes(f.schema(), names));
                }
            }
            case ENUM, FIXED -> names.putIfAbsent(schema.getName(), schema.getFullName());
            case UNION -> schema.getTypes().forEach(t -> namedTypes(t, names));
            case ARRAY -> namedTypes(schema.getElementType(), names);
            case MAP -> namedTypes(schema.getValueType(), names);
            default -> {
            }
        }
        return names;
    }

    private static void compatibility(String direction, Schema reader, Schema writer, List<String> problems) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            problems.add(direction + ": " + result.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")").toList());
        }
    }

    private static void roundTrip(String direction, Schema writer, Schema reader, List<String> problems) {
        for (int seed = 0; seed < SAMPLES; seed++) {
            Object value = SampleRecords.value(writer, seed, writer.getName());
            try {
                read(write(writer, value), writer, reader);
                read(write(writer, value), writer, nullable(reader));
                read(write(nullable(writer), value), nullable(writer), nullable(reader));
            } catch (IOException | RuntimeException e) {
                problems.add(direction + " fails (sample " + seed + "): " + e);
                return;
            }
        }
    }

    /** Writes {@code value} with {@code writer} and reads it back as {@code reader} sees it. */
    public static GenericRecord readAs(Object value, Schema writer, Schema reader) throws IOException {
        return (GenericRecord) new GenericDatumReader<Object>(writer, reader).read(null,
                DecoderFactory.get().binaryDecoder(write(writer, value), null));
    }

    private static byte[] write(Schema writer, Object value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<Object>(writer).write(value, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static void read(byte[] bytes, Schema writer, Schema reader) throws IOException {
        new GenericDatumReader<Object>(writer, reader).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }

    private static Schema nullable(Schema schema) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
    }
}
