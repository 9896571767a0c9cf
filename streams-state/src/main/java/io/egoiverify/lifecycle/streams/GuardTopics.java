package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.LifecycleConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The number guard's two internal topics (permits keyed by number hash, verdicts keyed by requestId). Like Kafka
 * Streams' own repartition topics they belong to the application: created at start-up when missing, with the
 * partition count of the input topics (the verdicts must land in the partition that owns their requestId), and
 * refused when they exist with another count.
 */
final class GuardTopics {
    /** Records only need to live until the guard or the lifecycle has read them. */
    static final String RETENTION_MS = Long.toString(Duration.ofDays(1).toMillis());

    private GuardTopics() {
    }

    static void ensure(Admin admin, LifecycleConfig config, String anInputTopic, Duration timeout) {
        int partitions = partitionsOf(admin, anInputTopic, timeout).orElseThrow(() ->
                new IllegalStateException("refusing to start: topic missing: " + anInputTopic));
        List<NewTopic> missing = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put(anInputTopic, partitions);
        for (String topic : List.of(LifecycleTopology.permitTopic(config), LifecycleTopology.verdictTopic(config))) {
            Optional<Integer> existing = partitionsOf(admin, topic, timeout);
            if (existing.isEmpty()) {
                missing.add(new NewTopic(topic, Optional.of(partitions), Optional.empty())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, RETENTION_MS)));
            } else {
                counts.put(topic, existing.get());
            }
        }
        CoPartitioning.verify(counts);
        if (missing.isEmpty()) {
            return;
        }
        try {
            admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the number guard topics: " + e.getCause(), e);
            }
            // Another instance created it at the same time (pods of a StatefulSet start together): its metadata may
            // not be visible yet, so wait for it (bounded), then check its partition count like any existing one.
            for (NewTopic t : missing) {
                counts.put(t.name(), awaitPartitions(admin, t.name(), timeout));
            }
            CoPartitioning.verify(counts);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating the number guard topics after " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** The topic's partition count once it is visible, or null if it is not within {@code timeout}. */
    private static Integer awaitPartitions(Admin admin, String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Integer> count = partitionsOf(admin, topic, timeout);
            if (count.isPresent() || System.nanoTime() > deadline) {
                return count.orElse(null);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic " + topic, e);
            }
        }
    }

    private static Optional<Integer> partitionsOf(Admin admin, String topic, Duration timeout) {
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
}
