package io.egoiverify.e2e.stack;

import io.egoiverify.schemas.topics.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** The stack's topics on its broker: created up front with one partition count, listed by {@code status}. */
final class StackTopics {
    private final StackConfig config;
    private final TopicNames names;

    StackTopics(StackConfig config, TopicNames names) {
        this.config = config;
        this.names = names;
    }

    /** Creates every topic with the configured partition count (topics that exist are left as they are). */
    public void createTopics() {
        try (Admin admin = admin()) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : names.all().values()) {
                NewTopic topic = new NewTopic(name, config.partitions(), (short) 1);
                // As docker/compose.yaml: codes and phone numbers (commands) one hour, raw input bytes (DLQ) one day.
                if (name.equals(names.commands())) {
                    topic.configs(Map.of("retention.ms", Long.toString(Duration.ofHours(1).toMillis())));
                } else if (name.equals(names.deadLetter())) {
                    topic.configs(Map.of("retention.ms", Long.toString(Duration.ofDays(1).toMillis())));
                }
                topics.add(topic);
            }
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics on " + config.ports().bootstrap(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.ports().bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(props);
    }

    /** "12 of 12 present, partitions [6]", or why the topics cannot be listed. */
    Optional<String> summary() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.ports().bootstrap());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(props)) {
            List<String> wanted = List.copyOf(names.all().values());
            Set<String> existing = admin.listTopics().names().get(5, TimeUnit.SECONDS);
            List<String> present = wanted.stream().filter(existing::contains).toList();
            Set<Integer> counts = new TreeSet<>();
            admin.describeTopics(present).allTopicNames().get(5, TimeUnit.SECONDS)
                    .values().forEach(d -> counts.add(d.partitions().size()));
            return Optional.of(present.size() + " of " + wanted.size() + " present, partitions " + counts);
        } catch (ExecutionException | TimeoutException e) {
            return Optional.of("cannot list (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
