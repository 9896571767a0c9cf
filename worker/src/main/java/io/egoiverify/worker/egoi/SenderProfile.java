package io.egoiverify.worker.egoi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named E-goi identity: the API key plus the sender to send with, in the form each dialect names it: {@code senderId}
 * (V2: the id of one of the account's SMS senders) or {@code senderHash} (the guide). A profile may carry both, so one
 * configuration serves either dialect, or neither (a key whose account's senders {@code egoi check} is to list); the
 * client refuses a send (before any call) when its dialect's one is missing.
 * The key is a secret: {@link #toString()} masks it, and nothing in this module logs it.
 *
 * @param name         profile name used by commands ({@code default} when a request names none)
 * @param apiKey       E-goi API key
 * @param senderHash   the guide's {@code senderHash} (may be null in V2)
 * @param senderId     V2's {@code senderId} (may be null in the guide dialect)
 * @param defaultGroup the guide's {@code group} used when a command has none (may be null; V2 has no such field)
 */
public record SenderProfile(String name, String apiKey, String senderHash, String senderId, String defaultGroup) {
    public static final String DEFAULT = "default";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public SenderProfile {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("profile name must be 1-64 of [A-Za-z0-9._-]: " + name);
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("profile " + name + ": API key is missing");
        }
        apiKey = apiKey.strip();
        senderHash = blankToNull(senderHash);
        senderId = blankToNull(senderId);
        defaultGroup = blankToNull(defaultGroup);
    }

    /** A guide-dialect profile. */
    public SenderProfile(String name, String apiKey, String senderHash) {
        this(name, apiKey, senderHash, null, null);
    }

    /** A guide-dialect profile with a default group. */
    public SenderProfile(String name, String apiKey, String senderHash, String defaultGroup) {
        this(name, apiKey, senderHash, null, defaultGroup);
    }

    /** A V2 profile. */
    public static SenderProfile v2(String name, String apiKey, String senderId) {
        return new SenderProfile(name, apiKey, null, senderId, null);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public String toString() {
        return "SenderProfile[name=" + name + ", apiKey=***, senderHash=" + senderHash + ", senderId=" + senderId
                + ", defaultGroup=" + defaultGroup + "]";
    }
}
