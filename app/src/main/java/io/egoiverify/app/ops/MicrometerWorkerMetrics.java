package io.egoiverify.app.ops;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.worker.command.WorkerMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The command worker's metrics on a Micrometer registry (names as Prometheus shows them):
 * {@code worker_commands_in_flight}, {@code worker_commands_answered_total{status,provider_called}},
 * {@code worker_commands_dead_lettered_total{reason}}, {@code egoi_retries_total{operation,cause}},
 * {@code egoi_cancels_total{outcome}}, {@code worker_commands_partitions}, the circuit
 * breaker through resilience4j's {@code TaggedCircuitBreakerMetrics} ({@code resilience4j_circuitbreaker_state{name,
 * state}} and friends), and the worker's consumer and producer through Micrometer's {@code KafkaClientMetrics}.
 */
public final class MicrometerWorkerMetrics implements WorkerMetrics {
    private final MeterRegistry registry;
    private final List<KafkaClientMetrics> clients = new ArrayList<>();
    private final AtomicInteger commandPartitions = new AtomicInteger();

    public MicrometerWorkerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        for (CommandStatus s : CommandStatus.values()) {
            // registered up front so that a scrape shows every status, at 0 until it happens
            answeredCounter(s, true);
            answeredCounter(s, false);
        }
    }

    @Override
    public void circuitBreakers(CircuitBreakerRegistry breakers) {
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
    }

    @Override
    public void commandsInFlight(IntSupplier inFlight) {
        // strong: the supplier is a lambda nothing else holds, and a gauge keeps only a weak reference by default
        Gauge.builder("worker.commands.in.flight", inFlight, IntSupplier::getAsInt).strongReference(true)
                .description("Commands taken by this instance and not yet answered").register(registry);
    }

    @Override
    public synchronized void kafkaClientsCreated(Consumer<?, ?> consumer, Producer<?, ?> producer) {
        KafkaClientMetrics c = new KafkaClientMetrics(consumer);
        KafkaClientMetrics p = new KafkaClientMetrics(producer);
        c.bindTo(registry);
        p.bindTo(registry);
        clients.add(c);
        clients.add(p);
    }

    @Override
    public void commandPartitions(int partitions) {
        commandPartitions.set(partitions);
        Gauge.builder("worker.commands.partitions", commandPartitions, AtomicInteger::get).strongReference(true)
                .description("Partitions of the command topic, which the workers' consumers must own between them")
                .register(registry);
    }

    @Override
    public synchronized void kafkaClientsClosing() {
        clients.forEach(KafkaClientMetrics::close);
        clients.clear();
    }

    @Override
    public void retryScheduled(String operation, String cause) {
        Counter.builder("egoi.retries").description("E-goi calls scheduled to be made again, by operation and cause")
                .tag("operation", operation).tag("cause", cause).register(registry).increment();
    }

    @Override
    public void deadLettered(String reason) {
        Counter.builder("worker.commands.dead.lettered")
                .description("Unreadable commands sent to the dead-letter topic, by error")
                .tag("reason", reason).register(registry).increment();
    }

    @Override
    public void cancelResult(CommandStatus status) {
        Counter.builder("egoi.cancels").description("Cancel commands executed, by outcome (cancelled, rejected, "
                + "unavailable, deadline_passed)").tag("outcome", status.name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
    }

    @Override
    public void answered(CommandStatus status, boolean providerCalled) {
        answeredCounter(status, providerCalled).increment();
    }

    private Counter answeredCounter(CommandStatus status, boolean providerCalled) {
        return Counter.builder("worker.commands.answered")
                .description("Command results produced, by status and whether E-goi was called")
                .tag("status", status.name().toLowerCase(Locale.ROOT))
                .tag("provider_called", Boolean.toString(providerCalled)).register(registry);
    }
}
