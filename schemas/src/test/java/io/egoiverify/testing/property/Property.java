package io.egoiverify.testing.property;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A property checked over random values, from a plain JUnit {@code @Test}:
 *
 * <pre>{@code
 * Property.forAll(HISTORIES).tries(1200).check(history -> run(history));
 * }</pre>
 *
 * Each run draws a seed (printed with the run's statistics), or takes {@code -Dproperty.seed=<seed>} to replay one:
 * the same seed gives the same values in the same order. A failing value is shrunk (see {@link Shrinker}) and
 * reported as an {@link AssertionError} naming the seed, the try, the minimal counterexample and the original one;
 * the minimal counterexample's own failure is the cause. {@code -Dproperty.tries=<n>} overrides every property's
 * number of tries (for a longer hunt).
 *
 * @param generator the values
 * @param tries how many values to try
 * @param seed the seed to use whatever the system property says (a pinned regression), or null
 */
public record Property<T>(Gen<T> generator, int tries, Long seed) {
    public static final String SEED_PROPERTY = "property.seed";
    public static final String TRIES_PROPERTY = "property.tries";
    private static final int MAX_SHRINK_RUNS = 20_000;
    private static final Duration SHRINK_BUDGET = Duration.ofSeconds(60);
    private static final int MESSAGE_LINES = 30;

    public Property {
        if (generator == null || tries <= 0) {
            throw new IllegalArgumentException("a property needs a generator and at least one try");
        }
    }

    /** Values from {@code generator}, 1,000 tries unless {@link #tries} says otherwise. */
    public static <T> Property<T> forAll(Gen<T> generator) {
        return new Property<>(generator, 1000, null);
    }

    public Property<T> tries(int count) {
        return new Property<>(generator, count, seed);
    }

    public Property<T> withSeed(long pinned) {
        return new Property<>(generator, tries, pinned);
    }

    public Statistics check(Consumer<? super T> body) {
        return checkWithStatistics((value, statistics) -> body.accept(value));
    }

    /** Runs the tries, the body filing each under labels; returns what they covered, or throws the shrunk failure. */
    public Statistics checkWithStatistics(BiConsumer<? super T, Statistics> body) {
        String name = callerName();
        long runSeed = seed != null ? seed : setting(SEED_PROPERTY, ThreadLocalRandom.current().nextLong());
        int runTries = seed != null ? tries : Math.toIntExact(setting(TRIES_PROPERTY, tries));
        String replay = "seed " + runSeed + ", replay with -D" + SEED_PROPERTY + "=" + runSeed;
        Statistics statistics = new Statistics(replay);
        SplittableRandom seeds = new SplittableRandom(runSeed);
        long started = System.nanoTime();
        for (int i = 1; i <= runTries; i++) {
            Shrinker.Attempt<T> attempt = Shrinker.attempt(generator, value -> failureOf(body, value, statistics),
                    Choices.random(seeds.nextLong()));
            statistics.countTry();
            if (attempt.failure() != null) {
                throw falsified(name, i, runTries, replay, body, attempt);
            }
        }
        System.out.printf("[property] %s: %d tries passed in %.1f s (%s)%n%s", name, runTries,
                (System.nanoTime() - started) / 1e9, replay, statistics.report());
        return statistics;
    }

    /** A system property's number, refused loudly when it is not one (a mistyped seed must not run a random one). */
    private static long setting(String name, long otherwise) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + "=" + value + " is not a decimal number", e);
        }
    }

    /** The test method that called {@code check} ({@code lambda$name$0} when called from a lambda in it). */
    private static String callerName() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> f.getDeclaringClass() != Property.class).findFirst()
                .map(f -> f.getDeclaringClass().getSimpleName() + "."
                        + f.getMethodName().replaceFirst("^lambda\\$(.+)\\$\\d+$", "$1"))
                .orElse("property"));
    }

    private AssertionError falsified(String name, int at, int runTries, String replay,
                                     BiConsumer<? super T, Statistics> body, Shrinker.Attempt<T> failing) {
        Function<T, Throwable> quiet = value -> failureOf(body, value, new Statistics(replay));
        Shrinker<T> shrinker = new Shrinker<>(generator, quiet, failing, MAX_SHRINK_RUNS, SHRINK_BUDGET);
        Shrinker.Attempt<T> minimal = shrinker.shrink();
        String message = "Property " + name + " falsified at try " + at + " of " + runTries + " (" + replay + ")\n"
                + "Minimal counterexample (" + minimal.drawn().length + " decisions, shrunk from "
                + failing.drawn().length + " in " + shrinker.runs() + " runs"
                + (shrinker.exhausted() ? ", shrink budget spent" : "") + "):\n"
                + indent(describe(minimal.value())) + "\n"
                + "fails with:\n" + indent(head(String.valueOf(minimal.failure()))) + "\n"
                + "Original counterexample:\n" + indent(describe(failing.value())) + "\n"
                + "failed with:\n" + indent(head(String.valueOf(failing.failure())));
        System.out.println("[property] " + message);
        AssertionError error = new AssertionError(message, minimal.failure());
        if (failing.failure() != minimal.failure()) {
            error.addSuppressed(failing.failure());
        }
        return error;
    }

    private static <T> Throwable failureOf(BiConsumer<? super T, Statistics> body, T value, Statistics statistics) {
        try {
            body.accept(value, statistics);
            return null;
        } catch (VirtualMachineError fatal) {
            if (fatal instanceof StackOverflowError) {
                return fatal;
            }
            throw fatal;
        } catch (Throwable failure) {
            return failure;
        }
    }

    /** Lists one element per line and byte arrays in hex; anything else as {@code toString}. */
    static String describe(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes.length + " bytes: " + HexFormat.ofDelimiter(" ").formatHex(bytes);
        }
        if (value instanceof List<?> list) {
            return list.size() + " elements:\n" + list.stream().map(e -> "  " + describe(e))
                    .collect(Collectors.joining("\n"));
        }
        return String.valueOf(value);
    }

    private static String head(String text) {
        List<String> lines = text.lines().toList();
        return lines.size() <= MESSAGE_LINES ? text : String.join("\n", lines.subList(0, MESSAGE_LINES))
                + "\n... (" + (lines.size() - MESSAGE_LINES) + " more lines in the cause)";
    }

    private static String indent(String text) {
        return text.lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
    }
}
