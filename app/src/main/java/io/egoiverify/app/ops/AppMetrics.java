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
 * The process's meter registry (Prometheus) with JVM and process meters, and the binders of its components (closed
 * with it): Micrometer's {@code KafkaStreamsMetrics} for the lifecycle and {@code KafkaClientMetrics} for the worker's
 * consumer and producer ({@link MicrometerWorkerMetrics}), {@link OutcomeMetrics}, resilience4j's circuit breaker
 * metrics. Each process has its own registry (no global one), so tests can run several in one JVM.
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
        registry.close();
    }
}
