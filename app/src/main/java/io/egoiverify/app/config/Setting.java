package io.egoiverify.app.config;

import java.util.Objects;
import java.util.regex.Pattern;

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
    /** From a URL's {@code ://} to its last {@code @}: whatever a password holds ({@code @}, {@code /}) is covered. */
    private static final Pattern URL_CREDENTIALS = Pattern.compile("://\\S*@");

    public Setting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
    }

    /**
     * The value as it may appear in an error message: secrets are never echoed, nor credentials written into a URL
     * ({@code http://user:password@host}, which {@code egoi.proxy} refuses).
     */
    public String shownValue() {
        if (secret) {
            return "<secret>";
        }
        String shown = URL_CREDENTIALS.matcher(value).replaceAll("://<secret>@");
        String v = shown.length() > 80 ? shown.substring(0, 77) + "..." : shown;
        return "'" + v.replaceAll("[\\r\\n]+", " ") + "'";
    }

    @Override
    public String toString() {
        return key + "=" + shownValue() + " (" + origin + ")";
    }
}
