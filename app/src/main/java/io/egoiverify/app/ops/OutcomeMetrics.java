package io.egoiverify.app.ops;

import io.egoiverify.schemas.topics.TopicNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * {@code verification_outcomes_total{type}}: outcome events this process's lifecycle produced, by type ({@code sent},
 * {@code code_rejected}, {@code verified}, {@code expired}, {@code cancelled}, {@code failed}) plus
 * {@code verification_lifecycle_dead_letters_total}, read from Kafka Streams' topic-level metric
 * {@code records-produced-total} (group {@code stream-topic-metrics}, one per task and sink topic).
 *
 * <p>Why not the raw Kafka metric: it lives per task and disappears when the task moves to another instance, so its
 * sum would go down. Here every task metric's increase since the last read is added to a running total, which never
 * decreases. What it counts precisely: records handed to the producer by this instance's sink nodes, so with
 * exactly-once a record of a transaction that later aborted is counted (and its re-processing counted again); an
 * increase between a read and the task leaving the instance is not counted. Sum over instances for the service.
 */
public final class OutcomeMetrics {
    static final String GROUP = "stream-topic-metrics";
    static final String NAME = "records-produced-total";
    private final Supplier<Map<MetricName, ? extends Metric>> source;
    private final Map<String, String> typeByTopic = new LinkedHashMap<>();
    private final Map<MetricName, Double> lastSeen = new HashMap<>();
    private final Map<String, Double> totals = new HashMap<>();

    /** @param source the lifecycle's Kafka Streams metrics, e.g. {@code lifecycle.kafkaStreams()::metrics} */
    public OutcomeMetrics(TopicNames names, Supplier<Map<MetricName, ? extends Metric>> source) {
        this.source = Objects.requireNonNull(source, "source");
        Map<String, String> logical = new HashMap<>();
        names.all().forEach((type, topic) -> logical.put(topic, type));
        for (String topic : names.outcomes()) {
            typeByTopic.put(topic, logical.get(topic).replace('-', '_'));
        }
        typeByTopic.put(names.deadLetter(), null);
    }

    public OutcomeMetrics bindTo(MeterRegistry registry) {
        typeByTopic.forEach((topic, type) -> {
            if (type == null) {
                FunctionCounter.builder("verification.lifecycle.dead.letters", this, m -> m.total(topic))
                        .description("Records the lifecycle sent to the dead-letter topic (Kafka Streams DLQ)")
                        .register(registry);
            } else {
                FunctionCounter.builder("verification.outcomes", this, m -> m.total(topic)).tag("type", type)
                        .description("Outcome events produced by this instance's lifecycle, by type")
                        .register(registry);
            }
        });
        return this;
    }

    /** The running total for {@code topic}, after folding in every task metric's increase since the last read. */
    synchronized double total(String topic) {
        Map<MetricName, ? extends Metric> metrics;
        try {
            metrics = source.get();
        } catch (RuntimeException e) {
            metrics = null; // not started yet, or closed: the totals stay
        }
        if (metrics != null) {
            metrics.forEach((name, metric) -> {
                if (!GROUP.equals(name.group()) || !NAME.equals(name.name())
                        || !typeByTopic.containsKey(name.tags().get("topic"))) {
                    return;
                }
                Object v = metric.metricValue();
                if (!(v instanceof Number n)) {
                    return;
                }
                double now = n.doubleValue();
                Double before = lastSeen.put(name, now);
                // a smaller value means the task was closed and re-created here: it counts from 0 again
                double increase = before == null || now < before ? now : now - before;
                totals.merge(name.tags().get("topic"), increase, Double::sum);
            });
        }
        return totals.getOrDefault(topic, 0.0);
    }
}
