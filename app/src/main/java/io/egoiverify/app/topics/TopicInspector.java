package io.egoiverify.app.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Reads and creates the deployment's topics with the Admin client (Describe, DescribeConfigs and Create on them). */
public final class TopicInspector {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> READ = List.of(TopicState.CLEANUP_POLICY, TopicState.RETENTION_MS,
            TopicState.MIN_ISR, TopicState.MAX_MESSAGE_BYTES);
    private final Admin admin;

    public TopicInspector(Admin admin) {
        this.admin = admin;
    }

    /** The topics of {@code names} that exist, with their effective settings. */
    public Map<String, TopicState> describe(Collection<String> names) {
        Map<String, TopicDescription> found = new HashMap<>();
        admin.describeTopics(names).topicNameValues().forEach((name, future) ->
                describeOne(future).ifPresent(d -> found.put(name, d)));
        if (found.isEmpty()) {
            return Map.of();
        }
        List<ConfigResource> resources = found.keySet().stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> configs = get(admin.describeConfigs(resources).all());
        Map<String, TopicState> states = new HashMap<>();
        found.forEach((name, d) -> {
            Map<String, String> values = new HashMap<>();
            Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name));
            for (String key : READ) {
                ConfigEntry e = c == null ? null : c.get(key);
                if (e != null && e.value() != null) {
                    values.put(key, e.value());
                }
            }
            int replicas = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
            states.put(name, new TopicState(name, d.partitions().size(), replicas, values));
        });
        return states;
    }

    /** What {@link #create} did: per topic, created, found created meanwhile by another client, or refused why. */
    public record Created(List<String> created, List<String> existed, Map<String, String> refused) {
    }

    /** Creates these topics, each on its own: one refused (an ACL, too few brokers) does not stop the others. */
    public Created create(List<NewTopic> topics) {
        List<String> created = new ArrayList<>();
        List<String> existed = new ArrayList<>();
        Map<String, String> refused = new TreeMap<>();
        admin.createTopics(topics).values().forEach((name, future) -> {
            try {
                get(future);
                created.add(name);
            } catch (IllegalStateException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existed.add(name);
                } else {
                    refused.put(name, e.getMessage());
                }
            }
        });
        return new Created(List.copyOf(created), List.copyOf(existed), refused);
    }

    private static Optional<TopicDescription> describeOne(KafkaFuture<TopicDescription> future) {
        try {
            return Optional.of(get(future));
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The future's value; its failure's cause wrapped in an IllegalStateException that names it. */
    private static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from the brokers in " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
