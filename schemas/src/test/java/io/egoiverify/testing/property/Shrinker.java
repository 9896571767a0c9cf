package io.egoiverify.testing.property;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Makes a failing example smaller by editing its recorded {@link Choices} and generating again: first it drops list
 * elements (history steps) in chunks of halving size, then it lowers each decision towards 0 (by bisection), then
 * decisions that are equal together (the same id in two steps); only when none of that helps does it drop raw
 * decisions. It repeats until a whole round finds nothing smaller or the budget is spent. A candidate is kept only
 * when it fails the same way (any assertion, or the same exception class) and its decisions are strictly smaller in
 * shortlex order, so shrinking always ends.
 */
final class Shrinker<T> {
    private final Gen<T> generator;
    private final Function<T, Throwable> body;
    private final int maxRuns;
    private final long deadlineNanos;
    private Attempt<T> current;
    private int runs;

    Shrinker(Gen<T> generator, Function<T, Throwable> body, Attempt<T> failing, int maxRuns, Duration budget) {
        this.generator = generator;
        this.body = body;
        this.current = failing;
        this.maxRuns = maxRuns;
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
    }

    /** One generated value, the decisions it consumed, and how the property answered it (null: it held). */
    record Attempt<T>(long[] drawn, List<Choices.ListSpan> lists, T value, Throwable failure) {
    }

    static <T> Attempt<T> attempt(Gen<T> generator, Function<T, Throwable> body, Choices choices) {
        T value = generator.generate(choices);
        return new Attempt<>(choices.drawn(), choices.lists(), value, body.apply(value));
    }

    Attempt<T> shrink() {
        boolean progress = true;
        while (progress && !exhausted()) {
            progress = dropListElements();
            progress |= lowerChoices();
            progress |= lowerEqualChoices();
            if (!progress) {
                progress = dropChoices();
            }
        }
        return current;
    }

    int runs() {
        return runs;
    }

    boolean exhausted() {
        return runs >= maxRuns || System.nanoTime() > deadlineNanos;
    }

    private boolean dropListElements() {
        boolean progress = false;
        for (int s = current.lists().size() - 1; s >= 0 && !exhausted(); s--) {
            for (int chunk = Integer.highestOneBit(Math.max(1, span(s).length())); chunk >= 1; chunk /= 2) {
                for (int from = span(s).length() - chunk; from >= 0 && !exhausted(); from--) {
                    Choices.ListSpan span = span(s);
                    if (span == null || from + chunk > span.length()) {
                        break;
                    }
                    long sizeOffset = current.drawn()[span.sizeAt()];
                    if (sizeOffset < chunk) {
                        break;
                    }
                    long[] candidate = cut(current.drawn(), span.bounds()[from], span.bounds()[from + chunk]);
                    candidate[span.sizeAt()] = sizeOffset - chunk;
                    progress |= tryCandidate(candidate);
                }
                if (span(s) == null) {
                    break;
                }
            }
        }
        return progress;
    }

    private Choices.ListSpan span(int index) {
        return index < current.lists().size() ? current.lists().get(index) : null;
    }

    private boolean lowerChoices() {
        boolean progress = false;
        for (int i = 0; i < current.drawn().length && !exhausted(); i++) {
            long value = current.drawn()[i];
            if (value == 0) {
                continue;
            }
            if (tryCandidate(with(current.drawn(), i, 0))) {
                progress = true;
                continue;
            }
            long low = 0;
            long high = value;
            while (high - low > 1 && !exhausted() && i < current.drawn().length) {
                long mid = low + (high - low) / 2;
                if (tryCandidate(with(current.drawn(), i, mid))) {
                    high = mid;
                    progress = true;
                } else {
                    low = mid;
                }
            }
        }
        return progress;
    }

    /** Lowers equal decisions together: all of a value's places at once, then each pair of them. */
    private boolean lowerEqualChoices() {
        boolean progress = false;
        for (long value : Arrays.stream(current.drawn()).filter(v -> v > 0).distinct().toArray()) {
            int[] at = indexesOf(current.drawn(), value);
            if (at.length < 2) {
                continue;
            }
            List<int[]> groups = new ArrayList<>();
            groups.add(at);
            for (int i = 0; i < at.length && at.length > 2; i++) {
                for (int j = i + 1; j < at.length && (at.length <= 8 || j == i + 1); j++) {
                    groups.add(new int[] {at[i], at[j]});
                }
            }
            for (int[] group : groups) {
                if (exhausted() || !samePlaces(current.drawn(), group, value)) {
                    continue;
                }
                progress |= lowerTogether(group, value);
            }
        }
        return progress;
    }

    private boolean lowerTogether(int[] group, long value) {
        boolean progress = false;
        long low = -1;
        long high = value;
        while (high - low > 1 && !exhausted()) {
            long mid = low + (high - low) / 2;
            long[] candidate = current.drawn().clone();
            if (!samePlaces(candidate, group, high)) {
                break;
            }
            for (int i : group) {
                candidate[i] = mid;
            }
            if (tryCandidate(candidate)) {
                high = mid;
                progress = true;
            } else {
                low = mid;
            }
        }
        return progress;
    }

    private static int[] indexesOf(long[] drawn, long value) {
        return IntStream.range(0, drawn.length).filter(i -> drawn[i] == value).toArray();
    }

    private static boolean samePlaces(long[] drawn, int[] at, long value) {
        return Arrays.stream(at).allMatch(i -> i < drawn.length && drawn[i] == value);
    }

    private boolean dropChoices() {
        boolean progress = false;
        for (int chunk = 4; chunk >= 1; chunk /= 2) {
            for (int from = current.drawn().length - chunk; from >= 0 && !exhausted(); from--) {
                progress |= tryCandidate(cut(current.drawn(), from, from + chunk));
            }
        }
        return progress;
    }

    private boolean tryCandidate(long[] candidate) {
        runs++;
        Attempt<T> next;
        try {
            next = attempt(generator, body, Choices.replay(candidate));
        } catch (RuntimeException generatorRefused) {
            return false;
        }
        if (next.failure() == null || !sameKind(next.failure(), current.failure())
                || !smaller(next.drawn(), current.drawn())) {
            return false;
        }
        current = next;
        return true;
    }

    private static boolean sameKind(Throwable a, Throwable b) {
        return a instanceof AssertionError ? b instanceof AssertionError : a.getClass() == b.getClass();
    }

    /** Shortlex: fewer decisions first, then the lexicographically smaller sequence. */
    static boolean smaller(long[] a, long[] b) {
        if (a.length != b.length) {
            return a.length < b.length;
        }
        return Arrays.compare(a, b) < 0;
    }

    private static long[] cut(long[] drawn, int from, int to) {
        long[] out = new long[drawn.length - (to - from)];
        System.arraycopy(drawn, 0, out, 0, from);
        System.arraycopy(drawn, to, out, from, drawn.length - to);
        return out;
    }

    private static long[] with(long[] drawn, int index, long value) {
        long[] out = drawn.clone();
        out[index] = value;
        return out;
    }
}
