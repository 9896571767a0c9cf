package io.egoiverify.lifecycle;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Per-number limits, enforced for every instance together by the number guard (state keyed by an HMAC of the number).
 * Disabled when no {@code numberKey} is configured: then a valid request goes straight to SENDING, as before.
 *
 * @param numberKey            secret of at least 32 bytes; keys the HMAC-SHA256 of the normalised number and seals
 *                             the number while a permit is awaited. Identical on every instance; null = disabled
 * @param maxSendsPerWindow    sends admitted per number per {@code sendWindow} (sliding)
 * @param sendWindow           the sliding window of the send limit
 * @param maxFailedChecks      wrong codes per number per {@code failedCheckWindow} (all its verifications
 *                             together); at the limit, new sends to the number are refused
 * @param failedCheckWindow    the sliding window of the failed-check limit
 * @param activePolicy         what a new request does while the number has a live verification
 * @param permitTimeout        how long a request waits for the guard's verdict before it fails; longer than a
 *                             fail-over of the guard's task, shorter than the send deadline. With the guard issuing
 *                             the granted send, the send command's deadline (its result awaited resultGrace longer)
 */
public record AbuseLimits(byte[] numberKey, int maxSendsPerWindow, Duration sendWindow, int maxFailedChecks,
                          Duration failedCheckWindow, ActivePolicy activePolicy, Duration permitTimeout) {

    /** The "one active verification per number" policy. */
    public enum ActivePolicy {
        /** Any number of verifications per number may be live (the send limit still applies). */
        OFF,
        /** A request for a number with a live verification is refused RATE_LIMITED. */
        REFUSE,
        /** A request for a number with a live verification is admitted and the old one is cancelled. */
        SUPERSEDE
    }

    public static final int MIN_KEY_BYTES = 32;

    public AbuseLimits {
        if (numberKey != null) {
            if (numberKey.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("invalid abuse limits: numberKey must have at least "
                        + MIN_KEY_BYTES + " bytes");
            }
            numberKey = numberKey.clone();
        }
        require(maxSendsPerWindow >= 1 && maxSendsPerWindow <= 1000, "maxSendsPerWindow must be 1..1000");
        require(maxFailedChecks >= 1 && maxFailedChecks <= 1000, "maxFailedChecks must be 1..1000");
        Objects.requireNonNull(activePolicy, "activePolicy");
        for (Duration d : new Duration[] {sendWindow, failedCheckWindow, permitTimeout}) {
            Objects.requireNonNull(d, "durations must not be null");
            require(!d.isNegative() && !d.isZero(), "durations must be positive");
        }
        require(sendWindow.compareTo(Duration.ofDays(7)) <= 0 && failedCheckWindow.compareTo(Duration.ofDays(7)) <= 0,
                "windows must be at most 7 days");
        require(permitTimeout.compareTo(Duration.ofMinutes(5)) <= 0, "permitTimeout must be at most 5 minutes");
    }

    /** No per-number limits (no key configured). */
    public static AbuseLimits disabled() {
        // The permit timeout outlasts a lifecycle fail-over (session timeout + restore, ~15 s) yet stays below the
        // default 30 s send deadline, so a request whose guard task moved still gets its verdict.
        return new AbuseLimits(null, 5, Duration.ofHours(1), 10, Duration.ofHours(1), ActivePolicy.SUPERSEDE,
                Duration.ofSeconds(25));
    }

    /** The documented defaults (streams-state/README.md) with this key. */
    public static AbuseLimits defaults(byte[] numberKey) {
        return disabled().withNumberKey(Objects.requireNonNull(numberKey, "numberKey"));
    }

    public boolean enabled() {
        return numberKey != null;
    }

    @Override
    public byte[] numberKey() {
        return numberKey == null ? null : numberKey.clone();
    }

    public AbuseLimits withNumberKey(byte[] key) {
        return new AbuseLimits(key, maxSendsPerWindow, sendWindow, maxFailedChecks, failedCheckWindow, activePolicy,
                permitTimeout);
    }

    public AbuseLimits withSends(int max, Duration window) {
        return new AbuseLimits(numberKey, max, window, maxFailedChecks, failedCheckWindow, activePolicy, permitTimeout);
    }

    public AbuseLimits withFailedChecks(int max, Duration window) {
        return new AbuseLimits(numberKey, maxSendsPerWindow, sendWindow, max, window, activePolicy, permitTimeout);
    }

    public AbuseLimits withActivePolicy(ActivePolicy policy) {
        return new AbuseLimits(numberKey, maxSendsPerWindow, sendWindow, maxFailedChecks, failedCheckWindow, policy,
                permitTimeout);
    }

    public AbuseLimits withPermitTimeout(Duration timeout) {
        return new AbuseLimits(numberKey, maxSendsPerWindow, sendWindow, maxFailedChecks, failedCheckWindow,
                activePolicy, timeout);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AbuseLimits a && Arrays.equals(numberKey, a.numberKey)
                && maxSendsPerWindow == a.maxSendsPerWindow && sendWindow.equals(a.sendWindow)
                && maxFailedChecks == a.maxFailedChecks && failedCheckWindow.equals(a.failedCheckWindow)
                && activePolicy == a.activePolicy && permitTimeout.equals(a.permitTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(numberKey), maxSendsPerWindow, sendWindow, maxFailedChecks,
                failedCheckWindow, activePolicy, permitTimeout);
    }

    @Override
    public String toString() {
        // The key is a secret: never printed.
        return "AbuseLimits[enabled=" + enabled() + ", sends=" + maxSendsPerWindow + "/" + sendWindow
                + ", failedChecks=" + maxFailedChecks + "/" + failedCheckWindow + ", activePolicy=" + activePolicy
                + ", permitTimeout=" + permitTimeout + "]";
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("invalid abuse limits: " + message);
        }
    }
}
