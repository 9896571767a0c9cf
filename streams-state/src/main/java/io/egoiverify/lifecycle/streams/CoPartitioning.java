package io.egoiverify.lifecycle.streams;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Start-up check: the input topics and the internal command/result topics must exist and share one partition count,
 * or a requestId's inputs, results and state would live in different tasks.
 */
public final class CoPartitioning {
    private CoPartitioning() {
    }

    /**
     * Describes the topics and verifies them; throws {@link IllegalStateException} with the reason.
     *
     * @param coPartitioned topics that must exist with one partition count
     * @param others        topics that must exist (outcomes, dead letters), any partition count
     */
    public static void check(Admin admin, List<String> coPartitioned, List<String> others, Duration timeout) {
        Map<String, Integer> otherCounts = describe(admin, others, timeout);
        List<String> missing = otherCounts.entrySet().stream().filter(e -> e.getValue() == null)
                .map(Map.Entry::getKey).sorted().toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("refusing to start: topics missing: " + String.join(", ", missing));
        }
        verify(describe(admin, coPartitioned, timeout));
    }

    /** The partition count of {@code topic}, which must exist. */
    public static int partitionsOf(Admin admin, String topic, Duration timeout) {
        return partitionCount(admin, topic, timeout).orElseThrow(() ->
                new IllegalStateException("refusing to start: topic missing: " + topic));
    }

    /** The partition count of {@code topic}; empty when it does not exist. */
    static Optional<Integer> partitionCount(Admin admin, String topic, Duration timeout) {
        try {
            return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out describing topic " + topic + " after " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topics", e);
        }
    }

    private static Map<String, Integer> describe(Admin admin, List<String> topics, Duration timeout) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String topic : topics) {
            counts.put(topic, partitionCount(admin, topic, timeout).orElse(null));
        }
        return counts;
    }

    /**
     * @param partitionCounts topic name → partition count, null when the topic does not exist
     */
    public static void verify(Map<String, Integer> partitionCounts) {
        List<String> missing = partitionCounts.entrySet().stream().filter(e -> e.getValue() == null)
                .map(Map.Entry::getKey).sorted().toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("refusing to start: topics missing: " + String.join(", ", missing)
                    + " (create them with one partition count for all of " + partitionCounts.keySet() + ")");
        }
        if (new TreeSet<>(partitionCounts.values()).size() > 1) {
            throw new IllegalStateException("refusing to start: topics are not co-partitioned (they must all have "
                    + "the same partition count, fixed for the life of the deployment): " + partitionCounts);
        }
    }
}
