package io.egoiverify.testing.property;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Every random decision behind one generated value, recorded as a sequence of non-negative offsets (the distance of
 * each drawn number from the low end of its range). Recording the decisions instead of the value is what makes the
 * framework work for any generator: replaying a seed means replaying its decisions, and shrinking means trying shorter
 * or smaller decision sequences and generating again (the approach of Hypothesis), so a generator needs no shrinking
 * code of its own. Offset 0 is always the simplest choice; a replayed sequence that runs out continues with zeros.
 */
public final class Choices {
    /** How often (in percent) a draw with edges lands on one end of its range, as jqwik's mixed-in edge cases did. */
    private static final int EDGE_PERCENT = 5;

    private final SplittableRandom random;
    private final long[] replay;
    private long[] drawn = new long[32];
    private int size;
    private final List<ListSpan> lists = new ArrayList<>();

    private Choices(SplittableRandom random, long[] replay) {
        this.random = random;
        this.replay = replay;
    }

    static Choices random(long seed) {
        return new Choices(new SplittableRandom(seed), null);
    }

    static Choices replay(long[] recorded) {
        return new Choices(null, recorded.clone());
    }

    /** A number in {@code [min, max]}, uniformly; shrinking moves it towards {@code min}. */
    public long between(long min, long max) {
        return draw(min, max, false);
    }

    /** Like {@link #between}, but {@code min} and {@code max} themselves come up more often. */
    public long betweenWithEdges(long min, long max) {
        return draw(min, max, true);
    }

    private long draw(long min, long max, boolean edges) {
        if (max < min) {
            throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        }
        long range = Math.subtractExact(max, min);
        if (range == Long.MAX_VALUE) {
            throw new IllegalArgumentException("range too wide: [" + min + ", " + max + "]");
        }
        long offset;
        if (random == null) {
            offset = size < replay.length ? replay[size] : 0;
            if (offset < 0 || offset > range) {
                offset = Math.floorMod(offset, range + 1);
            }
        } else if (edges && random.nextInt(100) < EDGE_PERCENT) {
            offset = random.nextBoolean() ? 0 : range;
        } else {
            offset = random.nextLong(range + 1);
        }
        record(offset);
        return min + offset;
    }

    <T> List<T> list(Gen<T> element, int minSize, int maxSize) {
        int sizeAt = size;
        int length = (int) betweenWithEdges(minSize, maxSize);
        int[] bounds = new int[length + 1];
        List<T> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            bounds[i] = size;
            out.add(element.generate(this));
        }
        bounds[length] = size;
        lists.add(new ListSpan(sizeAt, bounds));
        return out;
    }

    private void record(long offset) {
        if (size == drawn.length) {
            drawn = Arrays.copyOf(drawn, size * 2);
        }
        drawn[size++] = offset;
    }

    long[] drawn() {
        return Arrays.copyOf(drawn, size);
    }

    List<ListSpan> lists() {
        return List.copyOf(lists);
    }

    /**
     * Where one generated list lies in the decisions: its size at {@code sizeAt}, element {@code i} in
     * {@code [bounds[i], bounds[i + 1])}. The shrinker drops elements by cutting their spans and lowering the size.
     */
    record ListSpan(int sizeAt, int[] bounds) {
        int length() {
            return bounds.length - 1;
        }
    }
}
