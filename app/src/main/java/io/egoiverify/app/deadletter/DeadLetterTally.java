package io.egoiverify.app.deadletter;

import java.util.Map;
import java.util.TreeMap;

/** Counts of dead letters by origin topic and by exception, for the summary line. */
public final class DeadLetterTally {
    private final Map<String, Integer> byOrigin = new TreeMap<>();
    private final Map<String, Integer> byException = new TreeMap<>();
    private int total;
    private int truncated;

    public void add(DeadLetter d) {
        total++;
        if (d.truncated()) {
            truncated++;
        }
        byOrigin.merge(String.valueOf(d.originTopic()), 1, Integer::sum);
        byException.merge(String.valueOf(d.exception()), 1, Integer::sum);
    }

    public int total() {
        return total;
    }

    /** E.g. {@code 3 dead letter(s), 1 truncated; by origin: a=2, b=1; by exception: X=3}. */
    public String summary() {
        return total + " dead letter(s), " + truncated + " truncated; by origin: " + counts(byOrigin)
                + "; by exception: " + counts(byException);
    }

    private static String counts(Map<String, Integer> m) {
        if (m.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return b.toString();
    }
}
