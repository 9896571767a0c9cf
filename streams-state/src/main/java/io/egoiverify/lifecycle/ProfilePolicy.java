package io.egoiverify.lifecycle;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one sender profile accepts, on top of the global bounds of {@link LifecycleConfig}. A request outside its
 * profile's policy fails INVALID_REQUEST with a detail naming the rule.
 *
 * @param allowedCountryCodes country calling codes (351, 44, …) the profile may text; empty = any
 * @param minCodeSize         smallest code size (0 = only the global minimum)
 * @param maxTtl              largest TTL (null = only the global maximum)
 * @param maxMessageLength    longest SMS template in characters (0 = only the global maximum)
 * @param resendCooldown      the profile's resend cooldown (null = the global {@link LifecycleConfig#resend()} one)
 * @param maxSends            codes a verification of the profile may send, the first included (0 = the global one)
 */
public record ProfilePolicy(Set<Integer> allowedCountryCodes, int minCodeSize, Duration maxTtl,
                            int maxMessageLength, Duration resendCooldown, int maxSends) {
    /** No restriction beyond the global bounds, and the global resend policy. */
    public static final ProfilePolicy UNRESTRICTED = new ProfilePolicy(Set.of(), 0, null, 0, null, 0);

    public ProfilePolicy {
        Objects.requireNonNull(allowedCountryCodes, "allowedCountryCodes");
        allowedCountryCodes = Set.copyOf(allowedCountryCodes);
        for (int cc : allowedCountryCodes) {
            if (cc < 1 || cc > 999) {
                throw new IllegalArgumentException("invalid profile policy: country calling code " + cc
                        + " is outside 1..999");
            }
        }
        if (minCodeSize < 0 || minCodeSize > LifecycleConfig.CODE_SIZE_CEILING) {
            throw new IllegalArgumentException("invalid profile policy: minCodeSize must be 0.."
                    + LifecycleConfig.CODE_SIZE_CEILING);
        }
        if (maxTtl != null && (maxTtl.isNegative() || maxTtl.isZero() || maxTtl.toMillis() % 1000 != 0)) {
            throw new IllegalArgumentException("invalid profile policy: maxTtl must be whole positive seconds");
        }
        if (maxMessageLength < 0 || maxMessageLength > 1600) {
            throw new IllegalArgumentException("invalid profile policy: maxMessageLength must be 0..1600");
        }
        if (resendCooldown != null) {
            // Validated the same way as the global one.
            new ResendPolicy(resendCooldown, 1);
        }
        if (maxSends < 0 || maxSends > ResendPolicy.MAX_SENDS_CEILING) {
            throw new IllegalArgumentException("invalid profile policy: maxSends must be 0.."
                    + ResendPolicy.MAX_SENDS_CEILING);
        }
    }

    /** This profile's resend policy: its own cooldown and max sends where set, {@code global}'s otherwise. */
    public ResendPolicy resend(ResendPolicy global) {
        return new ResendPolicy(resendCooldown == null ? global.cooldown() : resendCooldown,
                maxSends == 0 ? global.maxSends() : maxSends);
    }

    public ProfilePolicy withAllowedCountryCodes(Set<Integer> codes) {
        return new ProfilePolicy(codes, minCodeSize, maxTtl, maxMessageLength, resendCooldown, maxSends);
    }

    public ProfilePolicy withMinCodeSize(int size) {
        return new ProfilePolicy(allowedCountryCodes, size, maxTtl, maxMessageLength, resendCooldown, maxSends);
    }

    public ProfilePolicy withMaxTtl(Duration ttl) {
        return new ProfilePolicy(allowedCountryCodes, minCodeSize, ttl, maxMessageLength, resendCooldown, maxSends);
    }

    public ProfilePolicy withMaxMessageLength(int length) {
        return new ProfilePolicy(allowedCountryCodes, minCodeSize, maxTtl, length, resendCooldown, maxSends);
    }

    public ProfilePolicy withResendCooldown(Duration cooldown) {
        return new ProfilePolicy(allowedCountryCodes, minCodeSize, maxTtl, maxMessageLength, cooldown, maxSends);
    }

    public ProfilePolicy withMaxSends(int sends) {
        return new ProfilePolicy(allowedCountryCodes, minCodeSize, maxTtl, maxMessageLength, resendCooldown, sends);
    }

    @Override
    public String toString() {
        return "ProfilePolicy[countries=" + (allowedCountryCodes.isEmpty() ? "any" : new TreeSet<>(allowedCountryCodes))
                + ", minCodeSize=" + minCodeSize + ", maxTtl=" + maxTtl + ", maxMessageLength=" + maxMessageLength
                + ", resendCooldown=" + resendCooldown + ", maxSends=" + maxSends + "]";
    }
}
