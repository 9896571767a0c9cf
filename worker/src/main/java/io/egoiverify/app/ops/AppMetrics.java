package io.egoiverify.app.ops;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The process's meter registry (Prometheus) with JVM and process meters. Kafka client metrics arrive through
 * {@link KafkaMetricsBridge}: the lifecycle service and the command worker do not hand out their clients, so
 * Micrometer's KafkaClientMetrics/KafkaStreamsMetrics binders (which need the client object) cannot be used on them.
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

    /** A binder to close with the registry (e.g. Micrometer's KafkaClientMetrics for a client this process owns). */
    public synchronized void add(AutoCloseable binder) {
        binders.add(binder);
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
