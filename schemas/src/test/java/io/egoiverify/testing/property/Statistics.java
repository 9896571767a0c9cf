package io.egoiverify.testing.property;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the tries of one property covered: a property body files each try under labels
 * ({@code statistics.collect("terminal outcome", "VerificationExpired")}); the run prints the distribution, and a
 * test can demand a minimum coverage with {@link #requireAtLeast}. Only the tries count, not the shrinking runs.
 */
public final class Statistics {
    private final Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
    private final String replay;
    private int tries;

    Statistics(String replay) {
        this.replay = replay;
    }

    public void collect(String label, Object value) {
        counts.computeIfAbsent(label, l -> new LinkedHashMap<>()).merge(String.valueOf(value), 1, Integer::sum);
    }

    /** How many tries filed {@code value} under {@code label}. */
    public int count(String label, Object value) {
        return counts.getOrDefault(label, Map.of()).getOrDefault(String.valueOf(value), 0);
    }

    public int tries() {
        return tries;
    }

    void countTry() {
        tries++;
    }

    /** Fails (naming the seed) unless at least {@code minimum} tries filed {@code value} under {@code label}. */
    public Statistics requireAtLeast(String label, Object value, int minimum) {
        int seen = count(label, value);
        if (seen < minimum) {
            throw new AssertionError("coverage: " + seen + " of " + tries + " tries had " + label + " = " + value
                    + ", expected at least " + minimum + " (" + replay + ")\n" + report());
        }
        return this;
    }

    String report() {
        StringBuilder out = new StringBuilder();
        counts.forEach((label, values) -> {
            int total = values.values().stream().mapToInt(Integer::intValue).sum();
            out.append("    ").append(label).append(": ").append(values.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                            .thenComparing(Map.Entry.comparingByKey()))
                    .map(e -> String.format("%s %.1f%% (%d)", e.getKey(), 100.0 * e.getValue() / total, e.getValue()))
                    .collect(Collectors.joining(", "))).append('\n');
        });
        return out.toString();
    }
}
