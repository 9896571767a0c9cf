package io.egoiverify.worker.command;

import io.egoiverify.internal.CommandStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/** Records what the worker reports, for assertions. */
final class RecordingMetrics implements WorkerMetrics {
    final Map<String, AtomicInteger> retries = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();
    final List<String> deadLettered = new CopyOnWriteArrayList<>();
    final List<CommandStatus> cancelResults = new CopyOnWriteArrayList<>();
    final AtomicInteger clientsCreated = new AtomicInteger();
    final AtomicInteger clientsClosing = new AtomicInteger();
    volatile CircuitBreakerRegistry breakers;
    volatile IntSupplier inFlight;

    @Override
    public void circuitBreakers(CircuitBreakerRegistry b) {
        breakers = b;
    }

    @Override
    public void commandsInFlight(IntSupplier n) {
        inFlight = n;
    }

    @Override
    public void kafkaClientsCreated(Consumer<?, ?> consumer, Producer<?, ?> producer) {
        if (consumer != null && producer != null) {
            clientsCreated.incrementAndGet();
        }
    }

    @Override
    public void kafkaClientsClosing() {
        clientsClosing.incrementAndGet();
    }

    @Override
    public void retryScheduled(String operation, String cause) {
        retries.computeIfAbsent(operation + "/" + cause, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void deadLettered(String reason) {
        deadLettered.add(reason);
    }

    @Override
    public void answered(CommandStatus status, boolean providerCalled) {
        answered.computeIfAbsent(status + "/" + providerCalled, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void cancelResult(CommandStatus status) {
        cancelResults.add(status);
    }

    int answeredCount(CommandStatus status, boolean providerCalled) {
        AtomicInteger n = answered.get(status + "/" + providerCalled);
        return n == null ? 0 : n.get();
    }

    int answeredTotal() {
        return answered.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    int retries(String operation) {
        return retries.entrySet().stream().filter(e -> e.getKey().startsWith(operation + "/"))
                .mapToInt(e -> e.getValue().get()).sum();
    }
}
