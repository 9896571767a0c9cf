package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CommandStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker's reports as Micrometer meters. */
@Timeout(10)
class MicrometerWorkerMetricsTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MicrometerWorkerMetrics metrics = new MicrometerWorkerMetrics(registry);

    @Test
    void everyStatusIsThereFromTheStartAndCountsWhatIsAnswered() {
        assertThat(registry.get("worker.commands.answered").counters()).hasSize(2 * CommandStatus.values().length);
        metrics.answered(CommandStatus.DEADLINE_PASSED, false);
        metrics.answered(CommandStatus.SENT, true);
        metrics.answered(CommandStatus.SENT, true);
        assertThat(registry.get("worker.commands.answered").tag("status", "deadline_passed")
                .tag("provider_called", "false").counter().count()).isEqualTo(1);
        assertThat(registry.get("worker.commands.answered").tag("status", "sent").tag("provider_called", "true")
                .counter().count()).isEqualTo(2);
    }

    @Test
    void retriesByOperationAndCauseAndDeadLettersByReason() {
        metrics.retryScheduled("send", "rate_limited");
        metrics.retryScheduled("validate", "server_error");
        metrics.retryScheduled("validate", "server_error");
        metrics.deadLettered("SchemaNotFoundException");
        assertThat(registry.get("egoi.retries").tag("operation", "validate").tag("cause", "server_error").counter()
                .count()).isEqualTo(2);
        assertThat(registry.get("egoi.retries").tag("operation", "send").counter().count()).isEqualTo(1);
        assertThat(registry.get("worker.commands.dead.lettered").tag("reason", "SchemaNotFoundException").counter()
                .count()).isEqualTo(1);
    }

    @Test
    void inFlightGaugeSurvivesGarbageCollectionAndBreakerStateIsExported() {
        AtomicInteger n = new AtomicInteger(7);
        metrics.commandsInFlight(n::get); // a lambda nobody else holds
        System.gc();
        assertThat(registry.get("worker.commands.in.flight").gauge().value()).isEqualTo(7);

        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        breakers.circuitBreaker("egoi");
        metrics.circuitBreakers(breakers);
        assertThat(registry.get("resilience4j.circuitbreaker.state").tag("name", "egoi").tag("state", "closed")
                .gauge().value()).isEqualTo(1);
    }
}
