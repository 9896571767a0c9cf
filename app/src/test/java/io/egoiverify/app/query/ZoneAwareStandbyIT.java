package io.egoiverify.app.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.testing.KafkaClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code lifecycle.zone} on a real broker: three lifecycle instances, two in one zone and one in another, one standby
 * replica. Every task's standby must sit in the other zone than its active copy, so that losing a zone leaves a warm
 * copy of every task. Without the zone, Kafka Streams spreads standbys by load alone, and with 2 of 3 instances in
 * one zone some standbys share their active's zone.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ZoneAwareStandbyIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();
    private final List<LifecycleInstance> instances = new ArrayList<>();

    @AfterEach
    void closeAll() {
        instances.forEach(LifecycleInstance::close);
    }

    /** Where one task's copies run: the zones of its active and of its standbys. */
    private record Copies(List<String> active, List<String> standby) {
    }

    @Test
    void everyStandbyIsInAnotherZoneThanItsActive() throws Exception {
        String prefix = "zone.";
        TopicNames names = TopicNames.withPrefix(prefix);
        KAFKA.createTopics(3, names.all().values().toArray(String[]::new));
        Map<String, String> zones = Map.of("a1", "zone-a", "a2", "zone-a", "b1", "zone-b");
        for (String name : new TreeSet<>(zones.keySet())) {
            Map<String, String> deployment = LifecycleInstance.deployment(KAFKA.bootstrapServers(), prefix,
                    Map.of("EGOI_VERIFY_LIFECYCLE_STANDBY_REPLICAS", "1",
                            "EGOI_VERIFY_LIFECYCLE_ZONE", zones.get(name)));
            instances.add(LifecycleInstance.start(name, deployment));
        }
        Map<TaskId, Copies> copies = new TreeMap<>();
        await("every task has one active and one standby copy").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    copies.clear();
                    copies.putAll(assignment(zones));
                    return !copies.isEmpty() && copies.values().stream()
                            .allMatch(c -> c.active().size() == 1 && c.standby().size() == 1);
                });
        assertThat(copies.size()).as("tasks: %s", copies.keySet()).isGreaterThanOrEqualTo(3);
        assertThat(copies).allSatisfy((task, c) -> assertThat(c.standby().get(0)).as("standby of %s", task)
                .isNotEqualTo(c.active().get(0)));
    }

    /** The zones each task runs in, read from every instance's own thread metadata; empty until all run. */
    private Map<TaskId, Copies> assignment(Map<String, String> zones) {
        Map<TaskId, Copies> out = new HashMap<>();
        for (LifecycleInstance i : instances) {
            KafkaStreams streams = i.runtime.lifecycleStreams();
            if (streams == null || streams.state() != KafkaStreams.State.RUNNING) {
                return Map.of();
            }
            for (ThreadMetadata t : streams.metadataForLocalThreads()) {
                add(out, t.activeTasks().stream().map(m -> m.taskId()).toList(), zones.get(i.name), true);
                add(out, t.standbyTasks().stream().map(m -> m.taskId()).toList(), zones.get(i.name), false);
            }
        }
        return out;
    }

    private static void add(Map<TaskId, Copies> out, List<TaskId> tasks, String zone, boolean active) {
        for (TaskId task : tasks) {
            Copies c = out.computeIfAbsent(task, t -> new Copies(new ArrayList<>(), new ArrayList<>()));
            (active ? c.active() : c.standby()).add(zone);
        }
    }
}
