package io.egoiverify.worker.egoi;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the {@code status} of E-goi's V2 status call ({@code GET /v2/verify/{id}}) means. The spec gives one value,
 * {@code pending} (its example); every other value is an ASSUMPTION, hence a table: each meaning lists the values that
 * say it, compared case-insensitively. A value in no list is unknown: the check it belongs to ends unjudged.
 */
public final class StatusTable {

    /** What a status value says about a verification. */
    public enum Meaning {
        /** The right code was validated. */
        VERIFIED,
        /** Still waiting for the right code: read right after a validate, the code was wrong. */
        PENDING,
        /** The code's validity passed. */
        EXPIRED,
        /** Cancelled: no code will be confirmed any more. */
        CANCELLED
    }

    /** The defaults (ASSUMPTION except {@code pending}). */
    public static final Map<Meaning, List<String>> DEFAULTS = defaultsMap();

    private final Map<String, Meaning> byValue;
    private final Map<Meaning, List<String>> byMeaning;

    public StatusTable(Map<Meaning, List<String>> values) {
        Map<String, Meaning> index = new LinkedHashMap<>();
        Map<Meaning, List<String>> copy = new EnumMap<>(Meaning.class);
        for (Map.Entry<Meaning, List<String>> e : values.entrySet()) {
            List<String> normalised = e.getValue().stream().map(StatusTable::normalise).filter(v -> !v.isEmpty())
                    .toList();
            for (String v : normalised) {
                Meaning before = index.put(v, e.getKey());
                if (before != null && before != e.getKey()) {
                    throw new IllegalArgumentException("status '" + v + "' is listed as both " + before + " and "
                            + e.getKey());
                }
            }
            copy.put(e.getKey(), List.copyOf(normalised));
        }
        if (!index.containsValue(Meaning.VERIFIED)) {
            throw new IllegalArgumentException("at least one status must mean verified");
        }
        this.byValue = Map.copyOf(index);
        this.byMeaning = Map.copyOf(copy);
    }

    public static StatusTable defaults() {
        return new StatusTable(DEFAULTS);
    }

    public Optional<Meaning> meaning(String status) {
        return status == null ? Optional.empty() : Optional.ofNullable(byValue.get(normalise(status)));
    }

    /** The values listed for {@code meaning}. */
    public List<String> values(Meaning meaning) {
        return byMeaning.getOrDefault(meaning, List.of());
    }

    /** Every value known, sorted (for messages). */
    public Set<String> known() {
        return new TreeSet<>(byValue.keySet());
    }

    private static String normalise(String v) {
        return v.strip().toLowerCase(Locale.ROOT);
    }

    private static Map<Meaning, List<String>> defaultsMap() {
        Map<Meaning, List<String>> m = new EnumMap<>(Meaning.class);
        m.put(Meaning.VERIFIED, List.of("verified", "approved", "validated"));
        m.put(Meaning.PENDING, List.of("pending"));
        m.put(Meaning.EXPIRED, List.of("expired"));
        m.put(Meaning.CANCELLED, List.of("canceled", "cancelled"));
        return Map.copyOf(m);
    }

    @Override
    public String toString() {
        return "StatusTable" + byMeaning;
    }
}
