package io.egoiverify.lifecycle;

import java.time.Duration;
import java.util.Objects;

/**
 * How a verification may send new codes (CONTRACTS, {@code verification.resend-requested}): the global setting is
 * {@link LifecycleConfig#resend()}, a sender profile may override either part ({@link ProfilePolicy}), and each
 * verification keeps the values that applied when it was admitted.
 *
 * @param cooldown minimum time from the start of the latest send to a resend (zero: none); at most 1 h
 * @param maxSends codes one verification may send, the first included (1: no resend at all); 1 to 10
 */
public record ResendPolicy(Duration cooldown, int maxSends) {
    public static final Duration MAX_COOLDOWN = Duration.ofHours(1);
    public static final int MAX_SENDS_CEILING = 10;
    /** 30 s between sends, at most 3 codes per verification (declared after the bounds it is checked against). */
    public static final ResendPolicy DEFAULT = new ResendPolicy(Duration.ofSeconds(30), 3);

    public ResendPolicy {
        Objects.requireNonNull(cooldown, "cooldown");
        if (cooldown.isNegative() || cooldown.compareTo(MAX_COOLDOWN) > 0) {
            throw new IllegalArgumentException("invalid resend policy: cooldown must be between 0 and "
                    + MAX_COOLDOWN);
        }
        if (maxSends < 1 || maxSends > MAX_SENDS_CEILING) {
            throw new IllegalArgumentException("invalid resend policy: maxSends must be between 1 and "
                    + MAX_SENDS_CEILING);
        }
    }
}
