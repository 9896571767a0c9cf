package io.egoiverify.app.ops;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The process's meter registry (Prometheus) with JVM and process meters, and binders for Kafka clients. Binders hold
 * background threads; {@link #close()} releases them.
 */
public final class AppMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> binders = new ArrayList<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public AppMetrics(String role) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags(List.of(Tag.of("application", "egoi-verify"), Tag.of("role", role)));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // Kafka clients report through KafkaMetricsBridge into the global registry; forward it here.
        io.micrometer.core.instrument.Metrics.addRegistry(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public synchronized void bind(KafkaStreams streams) {
        KafkaStreamsMetrics m = new KafkaStreamsMetrics(streams);
        m.bindTo(registry);
        binders.add(m);
    }

    public synchronized void bind(Consumer<?, ?> consumer) {
        add(new KafkaClientMetrics(consumer));
    }

    public synchronized void bind(Producer<?, ?> producer) {
        add(new KafkaClientMetrics(producer));
    }

    private void add(KafkaClientMetrics m) {
        m.bindTo(registry);
        binders.add(m);
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable b : binders) {
            try {
                b.close();
            } catch (Exception e) {
                // a binder that cannot close holds only a scheduler thread; nothing to recover
            }
        }
        binders.clear();
        gc.close();
        io.micrometer.core.instrument.Metrics.removeRegistry(registry);
        registry.close();
    }
}
