package io.egoiverify.app.topics;

import java.util.Map;
import java.util.OptionalLong;

/**
 * An existing topic as the brokers describe it: partitions, the smallest replica count of its partitions, and the
 * effective values (broker defaults included) of the settings the audit reads.
 */
public record TopicState(String name, int partitions, int replicationFactor, Map<String, String> configs) {
    static final String CLEANUP_POLICY = "cleanup.policy";
    static final String RETENTION_MS = "retention.ms";
    static final String MIN_ISR = "min.insync.replicas";
    static final String MAX_MESSAGE_BYTES = "max.message.bytes";

    public TopicState {
        configs = Map.copyOf(configs);
    }

    boolean compacted() {
        return configs.getOrDefault(CLEANUP_POLICY, "delete").contains("compact");
    }

    /** Empty when unlimited ({@code -1}) or unknown. */
    OptionalLong retentionMs() {
        long ms = number(RETENTION_MS, -1);
        return ms < 0 ? OptionalLong.empty() : OptionalLong.of(ms);
    }

    int minInSyncReplicas() {
        return (int) number(MIN_ISR, 1);
    }

    long maxMessageBytes() {
        return number(MAX_MESSAGE_BYTES, -1);
    }

    private long number(String key, long dflt) {
        try {
            String v = configs.get(key);
            return v == null ? dflt : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
