package io.egoiverify.app.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The effective raw settings with typed, validating readers. Every reader throws {@link ConfigException} with a
 * one-line message naming the setting, its origin and what is allowed.
 */
public final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");
    private final Map<String, Setting> values;

    public Settings(Map<String, Setting> values) {
        this.values = Map.copyOf(values);
    }

    public Optional<Setting> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public Map<String, Setting> all() {
        return values;
    }

    public Settings with(String key, String value, String origin) {
        Map<String, Setting> copy = new LinkedHashMap<>(values);
        copy.put(key, new Setting(key, value, origin, SettingsCatalog.isSecret(key)));
        return new Settings(copy);
    }

    public Settings withDefault(String key, String value, String origin) {
        Setting current = values.get(key);
        return current == null || "default".equals(current.origin()) ? with(key, value, origin) : this;
    }

    public String string(String key) {
        Setting s = values.get(key);
        return s == null ? null : s.value();
    }

    public String required(String key, String allowed) {
        Setting s = values.get(key);
        if (s == null || s.value().isBlank()) {
            throw ConfigException.missing(key, allowed);
        }
        return s.value();
    }

    public int integer(String key, int min, int max) {
        Setting s = need(key);
        try {
            int v = Integer.parseInt(s.value().trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw ConfigException.invalid(s, "expected an integer from " + min + " to " + max);
    }

    public double decimal(String key, double min, double max) {
        Setting s = need(key);
        try {
            double v = Double.parseDouble(s.value().trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw ConfigException.invalid(s, "expected a number from " + min + " to " + max);
    }

    public boolean bool(String key) {
        Setting s = need(key);
        String v = s.value().trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw ConfigException.invalid(s, "expected true or false");
    }

    /** A duration written {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT10S}. */
    public Duration duration(String key, Duration min, Duration max) {
        Setting s = need(key);
        Duration d = parseDuration(s.value().trim());
        String allowed = "expected a duration from " + human(min) + " to " + human(max)
                + " written like 500ms, 10s, 5m, 1h or PT10S";
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw ConfigException.invalid(s, allowed);
        }
        return d;
    }

    public String oneOf(String key, Set<String> allowed) {
        Setting s = need(key);
        String v = s.value().trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw ConfigException.invalid(s, "expected one of " + String.join(", ", sorted(allowed)));
        }
        return v;
    }

    /** An absolute http or https URL with a host. */
    public URI httpUrl(String key) {
        Setting s = need(key);
        try {
            URI uri = new URI(s.value().trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw ConfigException.invalid(s, "expected an absolute http:// or https:// URL with a host");
    }

    /** A URL path starting with '/'. */
    public String path(String key) {
        Setting s = need(key);
        String v = s.value().trim();
        if (v.startsWith("/") && !v.contains(" ") && !v.contains("?") && !v.contains("#")) {
            return v;
        }
        throw ConfigException.invalid(s, "expected a URL path starting with / (no spaces, query or fragment)");
    }

    private Setting need(String key) {
        Setting s = values.get(key);
        if (s == null) {
            throw ConfigException.missing(key, "see docker/CONFIGURATION.md");
        }
        return s;
    }

    /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d}, ISO-8601 or a bare number of ms; else null. */
    public static Duration parseDuration(String text) {
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                return null;
            }
        }
        Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    private static List<String> sorted(Set<String> set) {
        return set.stream().sorted().toList();
    }
}
