package io.egoiverify.schemas.topics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names of every topic the service reads or writes. Defaults follow CONTRACTS (e.g. {@code verification.requested});
 * a prefix is prepended to all of them, and each can be overridden by its full name.
 */
public record TopicNames(String requested, String codeSubmitted, String cancelRequested,
                         String sent, String codeRejected, String verified, String expired, String cancelled,
                         String failed, String commands, String results, String deadLetter) {

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicNames {
        for (String n : List.of(requested, codeSubmitted, cancelRequested, sent, codeRejected, verified, expired,
                cancelled, failed, commands, results, deadLetter)) {
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
        return new TopicNames(p + "verification.requested", p + "verification.code-submitted",
                p + "verification.cancel-requested", p + "verification.sent", p + "verification.code-rejected",
                p + "verification.verified", p + "verification.expired", p + "verification.cancelled",
                p + "verification.failed", p + "verification.internal.commands", p + "verification.internal.results",
                p + "verification.dlq");
    }

    /** The three input topics registration services publish to. */
    public List<String> inputs() {
        return List.of(requested, codeSubmitted, cancelRequested);
    }

    /** The six outcome topics. */
    public List<String> outcomes() {
        return List.of(sent, codeRejected, verified, expired, cancelled, failed);
    }

    /** Topics that must share one partition count (inputs and the internal command/result topics). */
    public List<String> coPartitioned() {
        return List.of(requested, codeSubmitted, cancelRequested, commands, results);
    }

    /** Every topic by a stable logical name, for topic creation and documentation. */
    public Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("requested", requested);
        all.put("code-submitted", codeSubmitted);
        all.put("cancel-requested", cancelRequested);
        all.put("sent", sent);
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
}
