package io.egoiverify.worker.egoi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named E-goi identity: the API key and senderHash to send and check with, plus optional defaults.
 * The key is a secret: {@link #toString()} masks it, and nothing in this module logs it.
 *
 * @param name            profile name used by commands ({@code default} when a request names none)
 * @param apiKey          E-goi API key
 * @param senderHash      E-goi senderHash of the SMS sender
 * @param defaultGroup    E-goi {@code group} used when a command has none (may be null)
 */
public record SenderProfile(String name, String apiKey, String senderHash, String defaultGroup) {
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
        if (senderHash == null || senderHash.isBlank()) {
            throw new IllegalArgumentException("profile " + name + ": senderHash is missing");
        }
    }

    public SenderProfile(String name, String apiKey, String senderHash) {
        this(name, apiKey, senderHash, null);
    }

    /** A profile whose key is read from environment variable {@code envVar} of {@code env} (e.g. {@code System.getenv()}). */
    public static SenderProfile fromEnv(String name, Map<String, String> env, String envVar, String senderHash) {
        String key = env.get(envVar);
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("profile " + name + ": environment variable " + envVar + " is not set");
        }
        return new SenderProfile(name, key, senderHash);
    }

    /** A profile whose key is the content of {@code keyFile} (trimmed), e.g. a mounted secret. */
    public static SenderProfile fromFile(String name, Path keyFile, String senderHash) {
        try {
            return new SenderProfile(name, Files.readString(keyFile, StandardCharsets.UTF_8), senderHash);
        } catch (IOException e) {
            throw new UncheckedIOException("profile " + name + ": cannot read API key file " + keyFile, e);
        }
    }

    @Override
    public String toString() {
        return "SenderProfile[name=" + name + ", apiKey=***, senderHash=" + senderHash + ", defaultGroup="
                + defaultGroup + "]";
    }
}
