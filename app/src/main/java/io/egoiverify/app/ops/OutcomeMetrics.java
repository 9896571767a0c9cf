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
 * {@code resend_rejected}, {@code code_rejected}, {@code verified}, {@code expired}, {@code cancelled},
 * {@code failed}), {@code verification_lifecycle_dead_letters_total}, and {@code verification_inputs_total{type}}:
 * input records the lifecycle consumed, by type ({@code requested}, {@code code_submitted}, {@code cancel_requested},
 * {@code resend_requested}). Read from Kafka Streams' topic-level metrics {@code records-produced-total} (sink nodes)
 * and {@code records-consumed-total} (source nodes), group {@code stream-topic-metrics}, one per task and topic.
 *
 * <p>Why not the raw Kafka metric: it lives per task and disappears when the task moves to another instance, so its
 * sum would go down. Here every task metric's increase since the last read is added to a running total, which never
 * decreases. What it counts precisely: records handed to the producer by this instance's sink nodes (or read by its
 * source nodes), so with exactly-once a record of a transaction that later aborted is counted (and its re-processing
 * counted again); an increase between a read and the task leaving the instance is not counted. Sum over instances.
 */
public final class OutcomeMetrics {
    static final String GROUP = "stream-topic-metrics";
    static final String NAME = "records-produced-total";
    static final String CONSUMED = "records-consumed-total";
    private static final String DEAD_LETTERS = "";
    private final Supplier<Map<MetricName, ? extends Metric>> source;
    /** Sink topic → outcome type ({@link #DEAD_LETTERS} for the dead-letter topic). */
    private final Map<String, String> producedTypes = new LinkedHashMap<>();
    /** Source topic → input type. */
    private final Map<String, String> consumedTypes = new LinkedHashMap<>();
    private final Map<MetricName, Double> lastSeen = new HashMap<>();
    /** Running totals by Kafka metric name, then topic. */
    private final Map<String, Map<String, Double>> totals = new HashMap<>();

    /** @param source the lifecycle's Kafka Streams metrics, e.g. {@code lifecycle.kafkaStreams()::metrics} */
    public OutcomeMetrics(TopicNames names, Supplier<Map<MetricName, ? extends Metric>> source) {
        this.source = Objects.requireNonNull(source, "source");
        Map<String, String> logical = new HashMap<>();
        names.all().forEach((type, topic) -> logical.put(topic, type.replace('-', '_')));
        for (String topic : names.outcomes()) {
            producedTypes.put(topic, logical.get(topic));
        }
        producedTypes.put(names.deadLetter(), DEAD_LETTERS);
        for (String topic : names.inputs()) {
            consumedTypes.put(topic, logical.get(topic));
        }
    }

    public OutcomeMetrics bindTo(MeterRegistry registry) {
        producedTypes.forEach((topic, type) -> {
            if (type.equals(DEAD_LETTERS)) {
                FunctionCounter.builder("verification.lifecycle.dead.letters", this, m -> m.total(NAME, topic))
                        .description("Records the lifecycle sent to the dead-letter topic (Kafka Streams DLQ)")
                        .register(registry);
            } else {
                FunctionCounter.builder("verification.outcomes", this, m -> m.total(NAME, topic)).tag("type", type)
                        .description("Outcome events produced by this instance's lifecycle, by type")
                        .register(registry);
            }
        });
        consumedTypes.forEach((topic, type) -> FunctionCounter.builder("verification.inputs", this,
                        m -> m.total(CONSUMED, topic)).tag("type", type)
                .description("Input records consumed by this instance's lifecycle, by type (duplicates and invalid "
                        + "ones included)")
                .register(registry));
        return this;
    }

    /**
     * The running total of Kafka metric {@code name} for {@code topic}, after folding in every task metric's increase
     * since the last read.
     */
    synchronized double total(String name, String topic) {
        Map<MetricName, ? extends Metric> metrics;
        try {
            metrics = source.get();
        } catch (RuntimeException e) {
            metrics = null; // not started yet, or closed: the totals stay
        }
        if (metrics != null) {
            metrics.forEach(this::fold);
        }
        return totals.getOrDefault(name, Map.of()).getOrDefault(topic, 0.0);
    }

    private void fold(MetricName name, Metric metric) {
        Map<String, String> types = NAME.equals(name.name()) ? producedTypes
                : CONSUMED.equals(name.name()) ? consumedTypes : null;
        String topic = name.tags().get("topic");
        if (types == null || !GROUP.equals(name.group()) || !types.containsKey(topic)
                || !(metric.metricValue() instanceof Number n)) {
            return;
        }
        double now = n.doubleValue();
        Double before = lastSeen.put(name, now);
        // a smaller value means the task was closed and re-created here: it counts from 0 again
        double increase = before == null || now < before ? now : now - before;
        totals.computeIfAbsent(name.name(), k -> new HashMap<>()).merge(topic, increase, Double::sum);
    }
}
