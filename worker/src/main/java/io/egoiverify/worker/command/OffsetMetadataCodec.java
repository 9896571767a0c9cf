package io.egoiverify.worker.command;

import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Encodes the offsets already done beyond a committed offset as commit metadata: {@code egv1:} + Base64 of a bit set
 * whose bit {@code i} means offset {@code committed + 1 + i} is done. The broker keeps at most 4096 bytes
 * ({@code offset.metadata.max.bytes}), so the span is capped at {@link #MAX_SPAN} offsets (3 KiB of bits).
 */
final class OffsetMetadataCodec {
    static final String PREFIX = "egv1:";
    static final int MAX_SPAN = 23_000;

    private OffsetMetadataCodec() {
    }

    static String encode(long committed, Collection<Long> doneBeyond) {
        BitSet bits = new BitSet();
        for (long offset : doneBeyond) {
            long i = offset - committed - 1;
            if (i < 0) {
                continue;
            }
            if (i >= MAX_SPAN) {
                throw new IllegalStateException("offset span " + i + " exceeds " + MAX_SPAN);
            }
            bits.set((int) i);
        }
        return bits.isEmpty() ? "" : PREFIX + Base64.getEncoder().withoutPadding().encodeToString(bits.toByteArray());
    }

    /** Offsets done beyond {@code committed}; empty for metadata this worker did not write. */
    static NavigableSet<Long> decode(long committed, String metadata) {
        NavigableSet<Long> done = new TreeSet<>();
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return done;
        }
        BitSet bits;
        try {
            bits = BitSet.valueOf(Base64.getDecoder().decode(metadata.substring(PREFIX.length())));
        } catch (IllegalArgumentException e) {
            return done;
        }
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
            done.add(committed + 1 + i);
        }
        return done;
    }
}
