package io.egoiverify.schemas.topics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names of every topic the service reads or writes. Defaults follow CONTRACTS (e.g. {@code verification.requested})
 * with {@link #prefix()} prepended to all of them; {@link #withName} replaces one by a full name of its own.
 *
 * @param prefix the prefix the default names were built with ("" for none); kept so that nobody has to derive it back
 *               from a name
 */
public record TopicNames(String prefix, String requested, String codeSubmitted, String cancelRequested,
                         String resendRequested, String sent, String resendRejected, String codeRejected,
                         String verified, String expired, String cancelled, String failed, String commands,
                         String results, String deadLetter) {

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /** The default name of every topic by its logical name (the keys of {@link #all()}). */
    public static final Map<String, String> DEFAULT_NAMES = defaultNames();

    public TopicNames {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty() && !LEGAL.matcher(prefix).matches()) {
            throw new IllegalArgumentException("illegal topic prefix '" + prefix + "': use [a-zA-Z0-9._-]");
        }
        for (String n : List.of(requested, codeSubmitted, cancelRequested, resendRequested, sent, resendRejected,
                codeRejected, verified, expired, cancelled, failed, commands, results, deadLetter)) {
            Objects.requireNonNull(n, "topic name");
            if (!LEGAL.matcher(n).matches()) {
                throw new IllegalArgumentException("illegal topic name '" + n + "': use 1-249 of [a-zA-Z0-9._-]");
            }
        }
    }

    public static TopicNames defaults() {
        return withPrefix("");
    }

    public static TopicNames withPrefix(String prefix) {
        String p = prefix == null ? "" : prefix;
        Map<String, String> d = DEFAULT_NAMES;
        return new TopicNames(p, p + d.get("requested"), p + d.get("code-submitted"), p + d.get("cancel-requested"),
                p + d.get("resend-requested"), p + d.get("sent"), p + d.get("resend-rejected"),
                p + d.get("code-rejected"), p + d.get("verified"), p + d.get("expired"), p + d.get("cancelled"),
                p + d.get("failed"), p + d.get("commands"), p + d.get("results"), p + d.get("dlq"));
    }

    /**
     * The same names with the topic of logical name {@code logical} (a key of {@link #all()}, e.g. {@code requested})
     * replaced by {@code fullName} (used as is: the prefix does not apply to it).
     */
    public TopicNames withName(String logical, String fullName) {
        Map<String, String> all = all();
        if (!all.containsKey(logical)) {
            throw new IllegalArgumentException("unknown topic '" + logical + "'; known: " + all.keySet());
        }
        all.put(logical, fullName);
        return new TopicNames(prefix, all.get("requested"), all.get("code-submitted"), all.get("cancel-requested"),
                all.get("resend-requested"), all.get("sent"), all.get("resend-rejected"), all.get("code-rejected"),
                all.get("verified"), all.get("expired"), all.get("cancelled"), all.get("failed"), all.get("commands"),
                all.get("results"), all.get("dlq"));
    }

    /** The four input topics registration services publish to. */
    public List<String> inputs() {
        return List.of(requested, codeSubmitted, cancelRequested, resendRequested);
    }

    /** The seven outcome topics. */
    public List<String> outcomes() {
        return List.of(sent, resendRejected, codeRejected, verified, expired, cancelled, failed);
    }

    /** Topics that must share one partition count (inputs and the internal command/result topics). */
    public List<String> coPartitioned() {
        return List.of(requested, codeSubmitted, cancelRequested, resendRequested, commands, results);
    }

    /** Every topic by a stable logical name, for topic creation, configuration and documentation. */
    public Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("requested", requested);
        all.put("code-submitted", codeSubmitted);
        all.put("cancel-requested", cancelRequested);
        all.put("resend-requested", resendRequested);
        all.put("sent", sent);
        all.put("resend-rejected", resendRejected);
        all.put("code-rejected", codeRejected);
        all.put("verified", verified);
        all.put("expired", expired);
        all.put("cancelled", cancelled);
        all.put("failed", failed);
        all.put("commands", commands);
        all.put("results", results);
        all.put("dlq", deadLetter);
        return all;
    }

    private static Map<String, String> defaultNames() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("requested", "verification.requested");
        d.put("code-submitted", "verification.code-submitted");
        d.put("cancel-requested", "verification.cancel-requested");
        d.put("resend-requested", "verification.resend-requested");
        d.put("sent", "verification.sent");
        d.put("resend-rejected", "verification.resend-rejected");
        d.put("code-rejected", "verification.code-rejected");
        d.put("verified", "verification.verified");
        d.put("expired", "verification.expired");
        d.put("cancelled", "verification.cancelled");
        d.put("failed", "verification.failed");
        d.put("commands", "verification.internal.commands");
        d.put("results", "verification.internal.results");
        d.put("dlq", "verification.dlq");
        return Collections.unmodifiableMap(d);
    }
}
