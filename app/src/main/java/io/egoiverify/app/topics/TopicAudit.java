package io.egoiverify.app.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Judges the deployment's topics as the brokers describe them against what the service relies on: every topic there,
 * one partition count for the topics the lifecycle reads by requestId, writes with {@code acks=all} that can succeed,
 * no compaction where a later record of a requestId would remove an earlier unread one, and retentions that neither
 * lose unread records nor keep phone numbers and codes in clear for longer than needed. Pure: no I/O.
 */
public final class TopicAudit {
    /** A source record must outlive a stopped instance's restart; shorter retentions are warned about. */
    static final Duration SHORTEST_SAFE_RETENTION = Duration.ofMinutes(10);
    /** Commands carry numbers and codes in clear: longer is warned about. */
    static final Duration LONGEST_COMMAND_RETENTION = Duration.ofDays(1);

    private TopicAudit() {
    }

    /**
     * @param specs    the deployment's topics ({@link TopicSpec#of})
     * @param observed the ones that exist, by name
     * @return errors and warnings, in the order of {@code specs}; empty when all is well
     */
    public static List<Finding> check(List<TopicSpec> specs, Map<String, TopicState> observed) {
        List<Finding> findings = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<String> fewReplicas = new ArrayList<>();
        List<String> lowIsr = new ArrayList<>();
        long largestInput = -1;
        for (TopicSpec spec : specs) {
            TopicState t = observed.get(spec.name());
            if (t == null) {
                findings.add(Finding.error(spec.name(), "missing (egoi-verify topics create makes it)"));
                continue;
            }
            if (spec.role().coPartitioned()) {
                counts.put(spec.name(), t.partitions());
            }
            if (spec.role() == TopicRole.INPUT) {
                largestInput = Math.max(largestInput, t.maxMessageBytes());
            }
            compaction(spec, t, findings);
            if (t.minInSyncReplicas() > t.replicationFactor()) {
                findings.add(Finding.error(spec.name(), "min.insync.replicas " + t.minInSyncReplicas() + " is above "
                        + "its replication factor " + t.replicationFactor() + ": every write (acks=all) fails with "
                        + "NOT_ENOUGH_REPLICAS"));
            } else if (t.replicationFactor() < 3) {
                fewReplicas.add(spec.name());
            } else if (t.minInSyncReplicas() < 2) {
                lowIsr.add(spec.name());
            }
            retention(spec, t, findings);
        }
        if (counts.values().stream().distinct().count() > 1) {
            findings.add(Finding.error("partitions", "the inputs, commands and results must share one partition "
                    + "count (the lifecycle refuses to start): " + counts.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))));
        }
        TopicState dlq = specs.stream().filter(s -> s.role() == TopicRole.DEAD_LETTER).findFirst()
                .map(s -> observed.get(s.name())).orElse(null);
        if (dlq != null && dlq.maxMessageBytes() >= 0 && dlq.maxMessageBytes() < largestInput) {
            findings.add(Finding.warn(dlq.name(), "max.message.bytes " + dlq.maxMessageBytes() + " is below the "
                    + "inputs' " + largestInput + ": a dead letter of a large input is cut to fit (not replayable)"));
        }
        if (!fewReplicas.isEmpty()) {
            findings.add(Finding.warn(group(fewReplicas, specs), "replication factor below 3: a broker's loss stops "
                    + "or loses writes (fine on a laptop, not in production)"));
        }
        if (!lowIsr.isEmpty()) {
            findings.add(Finding.warn(group(lowIsr, specs), "min.insync.replicas 1: an acknowledged write may live on "
                    + "one broker only (2 is the production setting)"));
        }
        return findings;
    }

    private static void compaction(TopicSpec spec, TopicState t, List<Finding> findings) {
        if (!t.compacted()) {
            return;
        }
        String why = "cleanup.policy " + t.configs().get(TopicState.CLEANUP_POLICY) + ": compaction keeps only the "
                + "latest record of a requestId";
        if (spec.role().coPartitioned()) {
            findings.add(Finding.error(spec.name(), why + ", so an unread earlier one (a submission, a command) can "
                    + "vanish; use delete"));
        } else {
            findings.add(Finding.warn(spec.name(), why + ", so a consumer that lags can miss events; use delete"));
        }
    }

    private static void retention(TopicSpec spec, TopicState t, List<Finding> findings) {
        OptionalLong ms = t.retentionMs();
        if (spec.role() == TopicRole.COMMANDS || spec.role() == TopicRole.DEAD_LETTER) {
            if (ms.isEmpty()) {
                findings.add(Finding.warn(spec.name(), "retention unlimited: keeps phone numbers and codes (raw "
                        + "inputs) for ever; " + Durations.text(spec.role().retention()) + " is enough"));
            } else if (spec.role() == TopicRole.COMMANDS && ms.getAsLong() > LONGEST_COMMAND_RETENTION.toMillis()) {
                findings.add(Finding.warn(spec.name(), "retention " + Durations.text(Duration.ofMillis(ms.getAsLong()))
                        + ": keeps phone numbers and codes in clear for longer than needed; "
                        + Durations.text(spec.role().retention()) + " is enough"));
            }
        }
        if (spec.role().coPartitioned() && ms.isPresent() && ms.getAsLong() < SHORTEST_SAFE_RETENTION.toMillis()) {
            findings.add(Finding.warn(spec.name(), "retention " + Durations.text(Duration.ofMillis(ms.getAsLong()))
                    + ": records may be deleted before an instance that was stopped reads them"));
        }
    }

    /** All of the deployment's topics are named as "all topics", else each. */
    private static String group(List<String> names, List<TopicSpec> specs) {
        return names.size() == specs.size() ? "all " + names.size() + " topics" : String.join(", ", names);
    }
}
