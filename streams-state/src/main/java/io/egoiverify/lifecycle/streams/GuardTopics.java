package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.schemas.topics.TopicConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The number guard's two internal topics (permits keyed by number hash, verdicts keyed by requestId). Like Kafka
 * Streams' own repartition topics they belong to the application: created at start-up when missing, with the
 * partition count of the input topics (the verdicts must land in the partition that owns their requestId), and
 * refused when they exist with another count.
 *
 * <p>Retention: records only need to live until the guard or the lifecycle has read them, so one day at most. A
 * permit request carries the number (sealed) and the command the guard issues, so the permit topic is created with
 * the command topic's retention when that is shorter (the command topic carries the number in clear and is given a
 * short one: hours). A topic that exists already keeps its settings.
 *
 * <p>Replication and other topic settings: those Kafka Streams gives its own internal topics
 * ({@code replication.factor}, {@code topic.*}, e.g. {@code topic.min.insync.replicas}), so that one setting covers
 * every topic the application creates; without them, the broker's defaults.
 *
 * <p>Instances starting together race to create them: the loser gets {@code TopicExistsException} for a topic whose
 * metadata may not have reached the broker it asks yet (describe still says "unknown topic"). Such a topic exists; it
 * is waited for, within the timeout, like any topic being created.
 */
final class GuardTopics {
    private static final Logger LOG = LoggerFactory.getLogger(GuardTopics.class);
    /** The longest retention either topic is created with. */
    static final long RETENTION_MS = Duration.ofDays(1).toMillis();
    private static final long FIRST_BACKOFF_MILLIS = 20;
    private static final long MAX_BACKOFF_MILLIS = 500;

    private GuardTopics() {
    }

    /**
     * How the application's own topics are created: {@code replication} empty = the broker's default, {@code configs}
     * = topic settings (retention is the guard's own and is not taken from here).
     */
    record Creation(Optional<Short> replication, Map<String, String> configs) {
        static final Creation BROKER_DEFAULTS = new Creation(Optional.empty(), Map.of());

        /** From Kafka Streams' properties: {@code replication.factor} (-1 = broker default) and {@code topic.*}. */
        static Creation of(Properties streams) {
            Object rf = streams.get(StreamsConfig.REPLICATION_FACTOR_CONFIG);
            Optional<Short> replication = Optional.empty();
            try {
                if (rf != null && Short.parseShort(rf.toString().trim()) > 0) {
                    replication = Optional.of(Short.parseShort(rf.toString().trim()));
                }
            } catch (NumberFormatException e) {
                // left to Kafka Streams, whose configuration check names the setting
            }
            Map<String, String> configs = new TreeMap<>();
            streams.forEach((k, v) -> {
                String key = k.toString();
                if (key.startsWith(StreamsConfig.TOPIC_PREFIX) && v != null) {
                    configs.put(key.substring(StreamsConfig.TOPIC_PREFIX.length()), v.toString());
                }
            });
            configs.remove(TopicConfig.RETENTION_MS_CONFIG);
            return new Creation(replication, Map.copyOf(configs));
        }
    }

    /**
     * @param anInputTopic an input topic (their partition count)
     * @param commandTopic the command topic (its retention bounds the permit topic's)
     */
    static void ensure(Admin admin, LifecycleConfig config, String anInputTopic, String commandTopic,
                       Creation creation, Duration timeout) {
        int partitions = CoPartitioning.partitionCount(admin, anInputTopic, timeout).orElseThrow(() ->
                new IllegalStateException("refusing to start: topic missing: " + anInputTopic));
        List<NewTopic> missing = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put(anInputTopic, partitions);
        String permits = LifecycleTopology.permitTopic(config);
        for (String topic : List.of(permits, LifecycleTopology.verdictTopic(config))) {
            Optional<Integer> existing = CoPartitioning.partitionCount(admin, topic, timeout);
            if (existing.isEmpty()) {
                long retention = topic.equals(permits)
                        ? Math.min(RETENTION_MS, retentionOf(admin, commandTopic, timeout)) : RETENTION_MS;
                Map<String, String> configs = new LinkedHashMap<>(creation.configs());
                configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention));
                missing.add(new NewTopic(topic, Optional.of(partitions), creation.replication()).configs(configs));
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
            // Another instance created one at the same time: once visible, check it like any existing one.
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

    /** The partition count of a topic known to exist, waiting (at most {@code timeout}) until metadata shows it. */
    private static int awaitPartitions(Admin admin, String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoff = FIRST_BACKOFF_MILLIS;
        while (true) {
            Optional<Integer> partitions = CoPartitioning.partitionCount(admin, topic, timeout);
            if (partitions.isPresent()) {
                return partitions.get();
            }
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) - deadline > 0) {
                throw new IllegalStateException("refusing to start: topic " + topic + " exists (another instance "
                        + "created it) but did not appear in the metadata within " + timeout);
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic " + topic, e);
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
    }

    /**
     * The topic's {@code retention.ms}; {@link Long#MAX_VALUE} when unbounded (-1), not set, or not readable (e.g.
     * no DescribeConfigs permission: a retention bound is no reason to refuse to start; logged).
     */
    static long retentionOf(Admin admin, String topic, Duration timeout) {
        try {
            long millis = TopicConfigs.value(admin, topic, TopicConfig.RETENTION_MS_CONFIG, timeout)
                    .map(Long::parseLong).orElse(-1L);
            return millis < 0 ? Long.MAX_VALUE : millis;
        } catch (TopicConfigs.Unreadable e) {
            LOG.warn("cannot read the retention of topic {} ({}); the permit topic gets {} ms", topic,
                    e.getCause().toString(), RETENTION_MS);
            return Long.MAX_VALUE;
        }
    }
}
