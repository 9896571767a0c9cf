package io.egoiverify.lifecycle;

/** The per-number limits; {@link #id()} names them in failure details and metrics (never the number). */
public enum Limit {
    SENDS_PER_NUMBER("sends-per-number"),
    FAILED_CHECKS_PER_NUMBER("failed-checks-per-number"),
    ONE_ACTIVE_PER_NUMBER("one-active-per-number");

    private final String id;

    Limit(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The limit behind a REFUSED verdict's {@code limit} text, or null. */
    public static Limit ofDetail(String detail) {
        if (detail != null) {
            for (Limit l : values()) {
                if (detail.startsWith(l.id)) {
                    return l;
                }
            }
        }
        return null;
    }
}
