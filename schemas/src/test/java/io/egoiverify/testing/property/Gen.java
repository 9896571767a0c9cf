package io.egoiverify.testing.property;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Makes random values of one type from {@link Choices}. Generators are plain functions composed with the factories
 * and combinators below; they never shrink anything themselves (see {@link Choices}). Simpler choices come first:
 * {@link #of} and {@link #frequency} shrink towards their first case, numbers towards their low end, lists towards
 * fewer elements.
 */
@FunctionalInterface
public interface Gen<T> {

    T generate(Choices choices);

    default <R> Gen<R> map(Function<? super T, ? extends R> mapper) {
        return choices -> mapper.apply(generate(choices));
    }

    default <R> Gen<R> flatMap(Function<? super T, ? extends Gen<? extends R>> next) {
        return choices -> next.apply(generate(choices)).generate(choices);
    }

    /** Lists of {@code minSize} to {@code maxSize} elements (uniform, the two ends a little more often). */
    default Gen<List<T>> list(int minSize, int maxSize) {
        if (minSize < 0 || maxSize < minSize) {
            throw new IllegalArgumentException("list sizes [" + minSize + ", " + maxSize + "]");
        }
        return choices -> choices.list(this, minSize, maxSize);
    }

    /** Lists of exactly {@code size} elements. */
    default Gen<List<T>> list(int size) {
        return list(size, size);
    }

    /** Integers in {@code [min, max]}, uniform, with the two ends mixed in more often. */
    static Gen<Integer> ints(int min, int max) {
        return choices -> (int) choices.betweenWithEdges(min, max);
    }

    /** Longs in {@code [min, max]}, uniform, with the two ends mixed in more often. */
    static Gen<Long> longs(long min, long max) {
        return choices -> choices.betweenWithEdges(min, max);
    }

    /** False or true, equally likely; shrinks towards false. */
    static Gen<Boolean> booleans() {
        return of(false, true);
    }

    /** Any byte; shrinks towards 0. */
    static Gen<Byte> bytes() {
        return choices -> (byte) choices.betweenWithEdges(0, 255);
    }

    /** Byte arrays of {@code minSize} to {@code maxSize} bytes. */
    static Gen<byte[]> byteArrays(int minSize, int maxSize) {
        return bytes().list(minSize, maxSize).map(list -> {
            byte[] out = new byte[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = list.get(i);
            }
            return out;
        });
    }

    static <T> Gen<T> constant(T value) {
        return choices -> value;
    }

    /** One of the values, equally likely (repeat a value to weight it). */
    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        List<T> all = List.of(values);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        return choices -> all.get((int) choices.between(0, all.size() - 1));
    }

    /** One of the enum's constants, equally likely. */
    static <E extends Enum<E>> Gen<E> of(Class<E> type) {
        return of(type.getEnumConstants());
    }

    /** One of the generators, equally likely. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... generators) {
        return frequency(Arrays.stream(generators).map(g -> weighted(1, g)).toList());
    }

    /** One of the cases, each as likely as its weight. */
    @SafeVarargs
    static <T> Gen<T> frequency(Weighted<? extends T>... cases) {
        return frequency(List.of(cases));
    }

    /** One of the cases, each as likely as its weight; a new kind of value is one more case. */
    static <T> Gen<T> frequency(List<? extends Weighted<? extends T>> cases) {
        List<Weighted<? extends T>> all = List.copyOf(cases);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no cases");
        }
        int total = all.stream().mapToInt(Weighted::weight).sum();
        return choices -> {
            long pick = choices.between(0, total - 1);
            for (Weighted<? extends T> c : all) {
                if (pick < c.weight()) {
                    return c.generator().generate(choices);
                }
                pick -= c.weight();
            }
            throw new IllegalStateException("unreachable");
        };
    }

    static <T> Weighted<T> weighted(int weight, Gen<? extends T> generator) {
        return new Weighted<>(weight, generator);
    }

    /** A constant case of {@link #frequency}. */
    static <T> Weighted<T> weightedValue(int weight, T value) {
        return new Weighted<>(weight, constant(value));
    }

    /** One case of {@link #frequency}. */
    record Weighted<T>(int weight, Gen<? extends T> generator) {
        public Weighted {
            if (weight <= 0) {
                throw new IllegalArgumentException("weight must be positive: " + weight);
            }
        }
    }
}
