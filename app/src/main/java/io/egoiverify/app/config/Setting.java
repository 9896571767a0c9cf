package io.egoiverify.app.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.regex.Matcher;
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
    private static final String PEM_BEGIN = "-----BEGIN ";
    private static final Pattern PEM_LABEL = Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----");

    public Setting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
    }

    /**
     * The value as it may appear in an error message: secrets are never echoed, nor credentials written into a URL
     * ({@code http://user:password@host}, which {@code egoi.proxy} refuses). PEM text (certificates given as a value)
     * is shown as the kinds of its blocks only: it is many lines long, and may hold a private key by mistake.
     */
    public String shownValue() {
        if (secret) {
            return "<secret>";
        }
        if (value.contains(PEM_BEGIN)) {
            return pemSummary(value);
        }
        String shown = withoutCredentials(value);
        String v = shown.length() > 80 ? shown.substring(0, 77) + "..." : shown;
        return "'" + v.replaceAll("[\\r\\n]+", " ") + "'";
    }

    /**
     * Everything before the value's last {@code @} (after a leading scheme's {@code ://}) masked: a password may hold
     * {@code @}, {@code /} or a space, and a proxy may be written without its scheme ({@code user:password@host:port}).
     * With several URLs in one value the hosts before the last are masked too; a value that merely holds an {@code @}
     * is shown masked all the same, which is the safe side.
     */
    private static String withoutCredentials(String value) {
        int at = value.lastIndexOf('@');
        if (at < 0) {
            return value;
        }
        int scheme = value.indexOf("://");
        int from = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return value.substring(0, from) + "<secret>" + value.substring(at);
    }

    /** E.g. {@code <PEM: CERTIFICATE x2>} or {@code <PEM: PRIVATE KEY, CERTIFICATE>}. */
    private static String pemSummary(String value) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Matcher m = PEM_LABEL.matcher(value);
        while (m.find()) {
            counts.merge(m.group(1), 1, Integer::sum);
        }
        StringJoiner shown = new StringJoiner(", ", "<PEM: ", ">").setEmptyValue("<PEM text>");
        counts.forEach((label, n) -> shown.add(n == 1 ? label : label + " x" + n));
        return shown.toString();
    }

    @Override
    public String toString() {
        return key + "=" + shownValue() + " (" + origin + ")";
    }
}
