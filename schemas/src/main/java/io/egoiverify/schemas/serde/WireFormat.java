package io.egoiverify.schemas.serde;

import java.nio.ByteBuffer;

/** The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro binary body. */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Reads the schema id from a framed payload, or throws {@link InvalidWireFormatException}. */
    public static int schemaId(String topic, byte[] data) {
        if (data == null || data.length < HEADER_SIZE) {
            throw new InvalidWireFormatException(topic, "payload of " + (data == null ? 0 : data.length)
                    + " bytes is shorter than the 5-byte Confluent header");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new InvalidWireFormatException(topic, String.format("magic byte is 0x%02x, expected 0x00", data[0]));
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }
}
