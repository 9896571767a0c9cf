package io.egoiverify.app.config;

import java.util.Objects;

/**
 * One configured value and where it came from (default, file, environment variable or flag), so that an error can say
 * which of the four layers to fix.
 *
 * @param key    the setting's name, e.g. {@code worker.max-in-flight}
 * @param value  the raw text
 * @param origin human-readable source, e.g. {@code environment EGOI_VERIFY_WORKER_MAX_IN_FLIGHT}
 * @param secret true when the value must never be printed
 */
public record Setting(String key, String value, String origin, boolean secret) {
    public Setting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
    }

    /** The value as it may appear in an error message: secrets are never echoed. */
    public String shownValue() {
        if (secret) {
            return "<secret>";
        }
        String v = value.length() > 80 ? value.substring(0, 77) + "..." : value;
        return "'" + v.replaceAll("[\\r\\n]+", " ") + "'";
    }

    @Override
    public String toString() {
        return key + "=" + shownValue() + " (" + origin + ")";
    }
}
