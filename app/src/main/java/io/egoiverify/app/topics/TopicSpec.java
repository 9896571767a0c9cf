package io.egoiverify.app.topics;

import io.egoiverify.schemas.topics.TopicNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;

/** One topic the deployment needs and that its operators create (the lifecycle creates its own internal ones). */
public record TopicSpec(String name, TopicRole role) {
    /** Every such topic of a deployment, inputs first, in {@link TopicNames#all()}'s order. */
    public static List<TopicSpec> of(TopicNames names) {
        List<TopicSpec> specs = new ArrayList<>();
        names.inputs().forEach(n -> specs.add(new TopicSpec(n, TopicRole.INPUT)));
        names.outcomes().forEach(n -> specs.add(new TopicSpec(n, TopicRole.OUTCOME)));
        specs.add(new TopicSpec(names.commands(), TopicRole.COMMANDS));
        specs.add(new TopicSpec(names.results(), TopicRole.RESULTS));
        specs.add(new TopicSpec(names.deadLetter(), TopicRole.DEAD_LETTER));
        return List.copyOf(specs);
    }

    /**
     * The topic as {@code topics create} makes it: {@code cleanup.policy=delete}, its role's retention and, with a
     * replication factor given, {@code min.insync.replicas} 2 from 3 replicas up (1 below: 2 of 2 would stop writes
     * whenever one broker restarts).
     *
     * @param replicationFactor empty: the brokers' {@code default.replication.factor} and {@code min.insync.replicas}
     */
    public NewTopic newTopic(int partitions, Optional<Short> replicationFactor) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(TopicState.CLEANUP_POLICY, "delete");
        configs.put(TopicState.RETENTION_MS, Long.toString(role.retention().toMillis()));
        replicationFactor.ifPresent(rf -> configs.put(TopicState.MIN_ISR, rf >= 3 ? "2" : "1"));
        return new NewTopic(name, Optional.of(partitions), replicationFactor).configs(configs);
    }
}
