package io.egoiverify.schemas.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/** Hand-made Confluent frames for generic records: a writer/reader independent of the serde under test. */
final class ConfluentFrames {
    private ConfluentFrames() {
    }

    static byte[] frame(int schemaId, Schema schema, Object value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<Object>(schema).write(value, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    static int schemaId(byte[] frame) {
        if (frame[0] != 0) {
            throw new IllegalArgumentException("not a Confluent frame");
        }
        return ByteBuffer.wrap(frame, 1, 4).getInt();
    }

    static GenericRecord read(byte[] frame, Schema writer, Schema reader) throws IOException {
        return new GenericDatumReader<GenericRecord>(writer, reader)
                .read(null, DecoderFactory.get().binaryDecoder(frame, 5, frame.length - 5, null));
    }
}
