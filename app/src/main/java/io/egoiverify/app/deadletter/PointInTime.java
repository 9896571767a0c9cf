package io.egoiverify.app.deadletter;

import io.egoiverify.app.config.Settings;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** {@code --since} / {@code --until}: an ISO-8601 instant, or a duration before now ({@code 2h}, {@code 30m}, ...). */
public final class PointInTime {
    private PointInTime() {
    }

    /** @throws IllegalArgumentException naming what is expected */
    public static Instant parse(String text, Instant now) {
        String t = text.trim();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            Duration ago = Settings.parseDuration(t);
            if (ago == null || ago.isNegative()) {
                throw new IllegalArgumentException("'" + text + "' is neither an instant (2026-05-01T10:00:00Z) nor "
                        + "a duration before now (90s, 30m, 2h, 1d)");
            }
            return now.minus(ago);
        }
    }
}
