package io.egoiverify.lifecycle.streams;

import java.io.DataInputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;

/** Reading this module's binary formats ({@link StateSerde}, {@link GuardSerdes}) without trusting their lengths. */
final class BoundedReads {
    private BoundedReads() {
    }

    /**
     * {@code count}, once checked against the bytes left: a length or count read from the record is never trusted
     * for an allocation. Six garbage bytes announcing a 2 GB string would otherwise throw OutOfMemoryError, an Error
     * that no deserialization handler sees (the stream thread dies on the same record again and again) instead of the
     * SerializationException that dead-letters the record.
     *
     * @param count       what the record says (a length or an element count)
     * @param minimumSize bytes each counted element takes at least
     */
    static int fits(DataInputStream in, int count, int minimumSize) throws IOException {
        int left = in.available();
        if (count < 0 || count > left / minimumSize) {
            throw new SerializationException("a length or count of " + count + " where " + left + " bytes are left");
        }
        return count;
    }
}
