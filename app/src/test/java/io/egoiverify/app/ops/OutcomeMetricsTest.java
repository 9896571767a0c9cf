package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.schemas.topics.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The outcome counters fold per-task Kafka Streams metrics into totals that never go down. */
@Timeout(10)
class OutcomeMetricsTest {
    final Map<MetricName, Metric> kafka = new HashMap<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Held: the function counters reference it weakly. */
    OutcomeMetrics outcomes;

    static MetricName produced(String task, String topic) {
        return new MetricName(OutcomeMetrics.NAME, OutcomeMetrics.GROUP, "",
                Map.of("thread-id", "t1", "task-id", task, "processor-node-id", "sink", "topic", topic));
    }

    void set(MetricName name, double value) {
        kafka.put(name, new Metric() {
            @Override
            public MetricName metricName() {
                return name;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }

    double outcomes(String type) {
        return registry.get("verification.outcomes").tag("type", type).functionCounter().count();
    }

    @Test
    void countsByTypeAndNeverDecreasesWhenATaskMovesAway() {
        outcomes = new OutcomeMetrics(TopicNames.withPrefix("p."), () -> kafka).bindTo(registry);
        set(produced("0_0", "p.verification.verified"), 3);
        set(produced("0_1", "p.verification.verified"), 2);
        set(produced("0_0", "p.verification.code-rejected"), 1);
        set(produced("0_0", "p.verification.internal.commands"), 50); // not an outcome
        assertThat(outcomes("verified")).isEqualTo(5);
        assertThat(outcomes("code_rejected")).isEqualTo(1);
        assertThat(outcomes("sent")).isZero();

        kafka.remove(produced("0_1", "p.verification.verified")); // task 0_1 moved to another instance
        set(produced("0_0", "p.verification.verified"), 4);
        assertThat(outcomes("verified")).isEqualTo(6);

        set(produced("0_1", "p.verification.verified"), 1); // it came back, counting from 0 again
        assertThat(outcomes("verified")).isEqualTo(7);
        assertThat(registry.get("verification.lifecycle.dead.letters").functionCounter().count()).isZero();
    }

    @Test
    void countsConsumedInputsByType() {
        outcomes = new OutcomeMetrics(TopicNames.defaults(), () -> kafka).bindTo(registry);
        set(consumed("0_0", "verification.requested"), 4);
        set(consumed("0_1", "verification.requested"), 3);
        set(consumed("0_0", "verification.code-submitted"), 2);
        set(consumed("0_0", "verification.internal.results"), 9); // internal, not an input
        set(produced("0_0", "verification.requested"), 100); // produced to an input topic: not consumed
        assertThat(inputs("requested")).isEqualTo(7);
        assertThat(inputs("code_submitted")).isEqualTo(2);
        assertThat(inputs("cancel_requested")).isZero();
        assertThat(inputs("resend_requested")).isZero();
        assertThat(outcomes("sent")).isZero();
    }

    double inputs(String type) {
        return registry.get("verification.inputs").tag("type", type).functionCounter().count();
    }

    static MetricName consumed(String task, String topic) {
        return new MetricName(OutcomeMetrics.CONSUMED, OutcomeMetrics.GROUP, "",
                Map.of("thread-id", "t1", "task-id", task, "processor-node-id", "source", "topic", topic));
    }

    @Test
    void aLifecycleNotStartedYetReadsZero() {
        outcomes = new OutcomeMetrics(TopicNames.defaults(), () -> {
            throw new IllegalStateException("not started");
        }).bindTo(registry);
        assertThat(outcomes("failed")).isZero();
    }
}
