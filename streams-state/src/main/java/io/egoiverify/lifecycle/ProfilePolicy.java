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
 */
public record ProfilePolicy(Set<Integer> allowedCountryCodes, int minCodeSize, Duration maxTtl,
                            int maxMessageLength) {
    /** No restriction beyond the global bounds. */
    public static final ProfilePolicy UNRESTRICTED = new ProfilePolicy(Set.of(), 0, null, 0);

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
    }

    public ProfilePolicy withAllowedCountryCodes(Set<Integer> codes) {
        return new ProfilePolicy(codes, minCodeSize, maxTtl, maxMessageLength);
    }

    public ProfilePolicy withMinCodeSize(int size) {
        return new ProfilePolicy(allowedCountryCodes, size, maxTtl, maxMessageLength);
    }

    public ProfilePolicy withMaxTtl(Duration ttl) {
        return new ProfilePolicy(allowedCountryCodes, minCodeSize, ttl, maxMessageLength);
    }

    public ProfilePolicy withMaxMessageLength(int length) {
        return new ProfilePolicy(allowedCountryCodes, minCodeSize, maxTtl, length);
    }

    @Override
    public String toString() {
        return "ProfilePolicy[countries=" + (allowedCountryCodes.isEmpty() ? "any" : new TreeSet<>(allowedCountryCodes))
                + ", minCodeSize=" + minCodeSize + ", maxTtl=" + maxTtl + ", maxMessageLength=" + maxMessageLength
                + "]";
    }
}
