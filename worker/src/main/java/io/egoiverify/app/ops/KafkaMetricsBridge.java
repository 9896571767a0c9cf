package io.egoiverify.app.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * A Kafka {@link MetricsReporter} that publishes every metric of the client it is configured into (consumer, producer,
 * admin, Kafka Streams) as a Micrometer meter: {@code kafka.<group>.<name>} with the metric's tags, e.g.
 * {@code kafka_stream_topic_metrics_records_produced_total{topic="verification.verified"}} (outcomes by type) or
 * {@code kafka_producer_topic_metrics_record_send_total{topic="verification.dlq"}} (dead-lettered records).
 *
 * <p>Why a reporter: the lifecycle service and the command worker own their Kafka clients and do not hand them out, and
 * {@code metric.reporters} is Kafka's own way to observe a client from outside. Kafka instantiates the reporter by class
 * name, so it registers into Micrometer's global registry, to which {@link AppMetrics} adds the Prometheus registry.
 */
public final class KafkaMetricsBridge implements MetricsReporter {
    private final Map<MetricName, Meter> meters = new ConcurrentHashMap<>();
    private final MeterRegistry registry = Metrics.globalRegistry;

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        metrics.forEach(this::metricChange);
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        MetricName n = metric.metricName();
        if (!(metric.metricValue() instanceof Number)) {
            return;
        }
        metricRemoval(metric);
        String name = "kafka." + n.group().replace("-metrics", "-metrics").replace('-', '.') + "."
                + n.name().replace('-', '.');
        List<Tag> tags = new ArrayList<>();
        n.tags().forEach((k, v) -> tags.add(Tag.of(k.replace('-', '_'), v)));
        try {
            Meter meter = n.name().endsWith("-total")
                    ? FunctionCounter.builder(name.substring(0, name.length() - ".total".length()), metric,
                            KafkaMetricsBridge::value).tags(tags).description(n.description()).register(registry)
                    : Gauge.builder(name, metric, KafkaMetricsBridge::value).tags(tags)
                            .description(n.description()).register(registry);
            meters.put(n, meter);
        } catch (RuntimeException e) {
            // Prometheus needs one tag-key set per name; a clashing Kafka metric is skipped rather than break others.
        }
    }

    private static double value(KafkaMetric m) {
        Object v = m.metricValue();
        return v instanceof Number num ? num.doubleValue() : Double.NaN;
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        Meter m = meters.remove(metric.metricName());
        if (m != null) {
            registry.remove(m);
        }
    }

    @Override
    public void close() {
        meters.values().forEach(registry::remove);
        meters.clear();
    }
}
