package io.egoiverify.app.dev;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * Kafka's WARN lines that every clean dev start prints although nothing is wrong, each silenced only around the step
 * that causes it (dev mode only; production logs keep them):
 * <ul>
 *   <li>{@link #FRESH_CLUSTER}: the embedded broker always starts from an empty metadata log, which the controller
 *       reports ("Performing controller activation. The metadata log appears to be empty");</li>
 *   <li>{@link #AUTO_TOPIC_CREATION}: the broker's creation of its offsets and transaction logs, which races with
 *       the client's retries ("Auto topic creation failed ... TOPIC_ALREADY_EXISTS"); {@link EmbeddedKafka} has them
 *       created before any component starts, so that this happens only there;</li>
 *   <li>{@link #STREAMS_CONFIG}: "Processing exception handler is not enabled for the GlobalThread" — the lifecycle
 *       does enable it, but Kafka Streams' partition assignor builds a StreamsConfig of its own from the consumer's
 *       settings, which never carry it (kafka-streams 4.3.1 {@code AssignorConfiguration});</li>
 *   <li>{@link #BROKER_SHUTDOWN}: "Attempting to close NetworkClient that has already been closed" — the broker
 *       closes its controller registration channel twice while shutting down.</li>
 * </ul>
 * The fifth, Kafka Streams' warning about a state directory under the OS temp directory, is avoided instead
 * ({@link DevStack}). Without logback (another SLF4J binding) nothing is changed.
 */
final class KafkaNoise {
    static final String FRESH_CLUSTER = "org.apache.kafka.controller.QuorumController";
    static final String AUTO_TOPIC_CREATION = "kafka.server.DefaultAutoTopicCreationManager";
    static final String STREAMS_CONFIG = "org.apache.kafka.streams.StreamsConfig";
    static final String BROKER_SHUTDOWN = "org.apache.kafka.clients.NetworkClient";

    private KafkaNoise() {
    }

    /** Runs {@code step} with {@code loggerName} at ERROR, then restores its level. */
    static <T> T quiet(String loggerName, Supplier<T> step) {
        if (!(LoggerFactory.getLogger(loggerName) instanceof Logger logger)) {
            return step.get();
        }
        Level before = logger.getLevel();
        logger.setLevel(Level.ERROR);
        try {
            return step.get();
        } finally {
            logger.setLevel(before);
        }
    }

    static void quiet(String loggerName, Runnable step) {
        quiet(loggerName, () -> {
            step.run();
            return null;
        });
    }
}
