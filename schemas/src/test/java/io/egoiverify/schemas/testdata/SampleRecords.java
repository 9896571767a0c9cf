package io.egoiverify.schemas.testdata;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.serde.AvroClassTrust;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Valid instances of every contract record, filled from the schema itself so that they keep up with schema changes:
 * every field set (unions take a non-null branch chosen by {@code seed}), strings distinct per field and seed.
 */
public final class SampleRecords {
    /** Every public event and internal record of the contracts. */
    public static final List<Class<? extends SpecificRecord>> ALL_TYPES = List.of(
            VerificationRequested.class, CodeSubmitted.class, VerificationCancelRequested.class,
            VerificationResendRequested.class, VerificationSent.class, ResendRejected.class, CodeRejected.class,
            VerificationVerified.class, VerificationExpired.class,
            VerificationCancelled.class, VerificationFailed.class, VerificationCommand.class,
            VerificationCommandResult.class);

    private SampleRecords() {
    }

    public static <T extends SpecificRecord> T of(Class<T> type, int seed) {
        AvroClassTrust.install();
        Schema schema = org.apache.avro.specific.SpecificData.get().getSchema(type);
        Object generic = value(schema, seed, schema.getName());
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<Object>(schema).write(generic, encoder);
            encoder.flush();
            return new SpecificDatumReader<T>(schema)
                    .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A generic value of {@code schema} (timestamps as raw longs). */
    public static Object value(Schema schema, int seed, String path) {
        switch (schema.getType()) {
            case RECORD: {
                GenericData.Record record = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
                    record.put(field.pos(), value(field.schema(), seed, path + "." + field.name()));
                }
                return record;
            }
            case UNION: {
                List<Schema> branches = new ArrayList<>();
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        branches.add(branch);
                    }
                }
                return value(branches.get(Math.floorMod(seed, branches.size())), seed, path);
            }
            case ENUM: {
                List<String> symbols = new ArrayList<>(schema.getEnumSymbols());
                symbols.remove("UNKNOWN");
                return new GenericData.EnumSymbol(schema, symbols.get(Math.floorMod(seed, symbols.size())));
            }
            case MAP: {
                Map<String, Object> map = new HashMap<>();
                map.put("k" + seed, value(schema.getValueType(), seed, path + "[]"));
                return map;
            }
            case ARRAY:
                return List.of(value(schema.getElementType(), seed, path + "[]"));
            case STRING:
                return path.substring(path.lastIndexOf('.') + 1) + "-" + seed;
            case INT:
                return 3 + Math.floorMod(seed, 5);
            case LONG:
                return 1_764_000_000_000L + seed * 1000L;
            case BOOLEAN:
                return seed % 2 == 0;
            case DOUBLE:
                return seed + 0.5;
            case FLOAT:
                return seed + 0.25f;
            case BYTES:
                return java.nio.ByteBuffer.wrap(new byte[] {(byte) seed});
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException("no sample for " + schema.getType() + " at " + path);
        }
    }
}
