package io.egoiverify.app.topics;

import java.util.Locale;

/** What {@code topics check} says about a topic: an error stops the service or loses data, a warning weakens it. */
public record Finding(Severity severity, String topic, String text) {
    /** ERROR makes the check fail (exit 1); WARN is printed only. */
    public enum Severity { ERROR, WARN }

    static Finding error(String topic, String text) {
        return new Finding(Severity.ERROR, topic, text);
    }

    static Finding warn(String topic, String text) {
        return new Finding(Severity.WARN, topic, text);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%-5s  %s: %s", severity, topic, text);
    }
}
