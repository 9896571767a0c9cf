package io.egoiverify.lifecycle;

import io.egoiverify.events.CodeType;
import io.egoiverify.events.VerificationRequested;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a request against CONTRACTS and the configuration. Problems are described without echoing the phone number,
 * the message or metadata values, so the detail of VerificationFailed(INVALID_REQUEST) is safe to publish.
 */
final class RequestValidator {
    static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    static final int MAX_GROUP_LENGTH = 64;

    /** A valid request with every default applied. */
    record Admission(String e164, String phoneMasked, String codeType, int codeSize, int ttlSeconds, String message,
                     String group, int maxAttempts, String senderProfile) {
        @Override
        public String toString() {
            return "Admission[phone=" + phoneMasked + ", profile=" + senderProfile + "]";
        }
    }

    /** Either an admission or the list of problems. */
    record Verdict(Admission admission, List<String> problems) {
        boolean valid() {
            return problems.isEmpty();
        }
    }

    private final LifecycleConfig config;

    RequestValidator(LifecycleConfig config) {
        this.config = config;
    }

    Verdict validate(VerificationRequested r) {
        List<String> problems = new ArrayList<>();
        if (r.getRequestId() == null || !REQUEST_ID.matcher(r.getRequestId()).matches()) {
            problems.add("requestId must be 1-64 characters of [A-Za-z0-9._:-]");
        }
        Optional<String> e164 = PhoneNumbers.normalise(r.getPhoneNumber());
        if (e164.isEmpty()) {
            problems.add("phoneNumber is not a valid number in E.164 (+<country><number>) or E-goi "
                    + "(<country>-<number>) form");
        }
        CodeType type = r.getCodeType() == null ? config.defaultCodeType() : r.getCodeType();
        if (type == CodeType.UNKNOWN) {
            problems.add("codeType is UNKNOWN (use NUMERIC, ALPHA, ALPHANUMERIC or HEX)");
        }
        String profile = r.getSenderProfile() == null ? LifecycleConfig.DEFAULT_PROFILE : r.getSenderProfile();
        ProfilePolicy policy = config.policy(profile);
        // A profile's stricter bounds also move the defaults, so a request that asks for nothing still fits.
        int size = r.getCodeSize() == null ? Math.max(config.defaultCodeSize(), policy.minCodeSize())
                : r.getCodeSize();
        if (size < config.minCodeSize() || size > config.maxCodeSize()) {
            problems.add("codeSize " + size + " is outside " + config.minCodeSize() + ".." + config.maxCodeSize());
        }
        long ttl = r.getTtlSeconds() == null ? defaultTtl(policy) : r.getTtlSeconds();
        if (ttl < config.minTtl().toSeconds() || ttl > config.maxTtl().toSeconds()) {
            problems.add("ttlSeconds " + ttl + " is outside " + config.minTtl().toSeconds() + ".."
                    + config.maxTtl().toSeconds());
        }
        String message = r.getMessage() == null ? config.defaultMessage() : r.getMessage();
        if (!message.contains(LifecycleConfig.CODE_PLACEHOLDER)) {
            problems.add("message does not contain " + LifecycleConfig.CODE_PLACEHOLDER);
        }
        if (message.length() > config.maxMessageLength()) {
            problems.add("message is " + message.length() + " characters, more than " + config.maxMessageLength());
        }
        if (r.getGroup() != null && (r.getGroup().isBlank() || r.getGroup().length() > MAX_GROUP_LENGTH)) {
            problems.add("group must be 1-" + MAX_GROUP_LENGTH + " characters");
        }
        int attempts = r.getMaxAttempts() == null ? config.defaultMaxAttempts() : r.getMaxAttempts();
        if (attempts < 1 || attempts > config.maxAttemptsLimit()) {
            problems.add("maxAttempts " + attempts + " is outside 1.." + config.maxAttemptsLimit());
        }
        if (!config.senderProfiles().contains(profile)) {
            problems.add("senderProfile is not a configured sender profile");
        } else {
            checkPolicy(policy, e164, size, ttl, message, problems);
        }
        int metadataBytes = metadataBytes(r.getMetadata());
        if (metadataBytes > config.maxMetadataBytes()) {
            problems.add("metadata is " + metadataBytes + " bytes, more than " + config.maxMetadataBytes());
        }
        if (!problems.isEmpty()) {
            return new Verdict(null, List.copyOf(problems));
        }
        String number = e164.get();
        return new Verdict(new Admission(number, PhoneNumbers.mask(number), type.name().toLowerCase(Locale.ROOT),
                size, (int) ttl, message, r.getGroup(), attempts, profile), List.of());
    }

    /** The profile's rules, checked only for a configured profile; details name the rule, never the number. */
    private static void checkPolicy(ProfilePolicy policy, Optional<String> e164, int size, long ttl, String message,
                                    List<String> problems) {
        if (!policy.allowedCountryCodes().isEmpty() && e164.isPresent()) {
            int cc = PhoneNumbers.countryCode(e164.get());
            if (!policy.allowedCountryCodes().contains(cc)) {
                problems.add("senderProfile does not allow country calling code +" + cc);
            }
        }
        if (size < policy.minCodeSize()) {
            problems.add("codeSize " + size + " is below the senderProfile's minimum " + policy.minCodeSize());
        }
        if (policy.maxTtl() != null && ttl > policy.maxTtl().toSeconds()) {
            problems.add("ttlSeconds " + ttl + " is above the senderProfile's maximum " + policy.maxTtl().toSeconds());
        }
        if (policy.maxMessageLength() > 0 && message.length() > policy.maxMessageLength()) {
            problems.add("message is " + message.length() + " characters, more than the senderProfile's maximum "
                    + policy.maxMessageLength());
        }
    }

    private long defaultTtl(ProfilePolicy policy) {
        long ttl = config.defaultTtl().toSeconds();
        return policy.maxTtl() == null ? ttl : Math.max(config.minTtl().toSeconds(),
                Math.min(ttl, policy.maxTtl().toSeconds()));
    }

    static int metadataBytes(Map<String, String> metadata) {
        if (metadata == null) {
            return 0;
        }
        int total = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            total += e.getKey().getBytes(StandardCharsets.UTF_8).length;
            total += e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return total;
    }
}
