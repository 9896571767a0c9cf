package io.egoiverify.worker.command;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.worker.egoi.EgoiResult;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * What the command worker reports about itself, for an operator's metrics. The worker core knows no metrics library:
 * the app implements this with Micrometer; tests record the calls. Every method has a no-op default. Methods may be
 * called from the worker thread, HTTP callback threads and the retry scheduler: implementations must be thread-safe,
 * fast and do no I/O. No argument ever carries a code, a key or a phone number.
 */
public interface WorkerMetrics {
    /** Reports nothing. */
    WorkerMetrics NONE = new WorkerMetrics() {
    };

    /** Once, when the worker is built: the registry holding its circuit breaker around E-goi (named {@code egoi}). */
    default void circuitBreakers(CircuitBreakerRegistry breakers) {
    }

    /** Once, when the worker is built: the number of commands taken and not yet answered (any thread may read it). */
    default void commandsInFlight(IntSupplier inFlight) {
    }

    /** On the worker thread, right after it created its Kafka clients (before it joins the group). */
    default void kafkaClientsCreated(Consumer<?, ?> consumer, Producer<?, ?> producer) {
    }

    /**
     * On the worker thread, once its topics are checked: the command topic's partition count, which the workers'
     * consumers must own between them.
     */
    default void commandPartitions(int partitions) {
    }

    /** On the worker thread, right before it closes its Kafka clients. */
    default void kafkaClientsClosing() {
    }

    /**
     * A call is scheduled to be made again.
     *
     * @param operation {@code send}, {@code resend}, {@code validate}, {@code status} or {@code cancel}
     * @param cause     why, as {@link #nameOf(EgoiResult)} of the failed attempt (e.g. {@code rate_limited},
     *                  {@code timeout_connect}, {@code circuit_open}, {@code server_error})
     */
    default void retryScheduled(String operation, String cause) {
    }

    /**
     * An unreadable command went to the dead-letter topic (in the open transaction).
     *
     * @param reason the simple name of the error class, e.g. {@code SchemaNotFoundException}
     */
    default void deadLettered(String reason) {
    }

    /**
     * A command's result went into the open transaction. A result whose transaction aborts (or that completes after its
     * partition moved away) is not counted here and its command runs again, so this counts results produced, once per
     * execution.
     *
     * @param providerCalled whether any E-goi call was made for it ({@code DEADLINE_PASSED} and refusals make none)
     */
    default void answered(CommandStatus status, boolean providerCalled) {
    }

    /**
     * A cancel command finished (once per execution, like {@link #answered}): {@code CANCELLED} when E-goi cancelled,
     * {@code REJECTED} when it refused or the dialect has no cancel call, {@code UNAVAILABLE}/{@code DEADLINE_PASSED}
     * when no answer came in time.
     */
    default void cancelResult(CommandStatus status) {
    }

    /** {@code WrongCode} becomes {@code wrong_code}, {@code Timeout(CONNECT)} becomes {@code timeout_connect}. */
    static String nameOf(EgoiResult result) {
        if (result == null) {
            return "none";
        }
        String simple = result.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2")
                .toLowerCase(Locale.ROOT);
        return result instanceof EgoiResult.Timeout t ? simple + "_" + t.phase().name().toLowerCase(Locale.ROOT)
                : simple;
    }
}
