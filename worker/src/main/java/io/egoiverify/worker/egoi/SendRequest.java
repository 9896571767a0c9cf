package io.egoiverify.worker.egoi;

import java.util.Objects;
import java.util.Set;

/**
 * One send, validated before any call.
 *
 * @param phoneNumber E.164, as the lifecycle normalised it; written in E-goi form by {@link EgoiNumbers}
 * @param codeType    numeric, alpha, alphanumeric or hex (lower-case as E-goi expects)
 * @param codeSize    digits/characters of the code
 * @param ttlSeconds  E-goi codeTTL
 * @param message     SMS text containing {@code {CODE}}
 * @param group       E-goi group, or null for the profile's default
 */
public record SendRequest(String phoneNumber, String codeType, int codeSize, int ttlSeconds, String message,
                          String group) {
    static final Set<String> CODE_TYPES = Set.of("numeric", "alpha", "alphanumeric", "hex");

    public SendRequest {
        Objects.requireNonNull(phoneNumber, "phoneNumber");
        if (codeType == null || !CODE_TYPES.contains(codeType)) {
            throw new InvalidRequestException("codeType must be one of " + CODE_TYPES + ": " + codeType);
        }
        if (codeSize < 1 || codeSize > 32) {
            throw new InvalidRequestException("codeSize out of range 1..32: " + codeSize);
        }
        if (ttlSeconds < 1) {
            throw new InvalidRequestException("ttlSeconds must be positive: " + ttlSeconds);
        }
        if (message == null || !message.contains("{CODE}")) {
            throw new InvalidRequestException("message must contain {CODE}");
        }
    }

    @Override
    public String toString() {
        return "SendRequest[codeType=" + codeType + ", codeSize=" + codeSize + ", ttlSeconds=" + ttlSeconds + "]";
    }
}
