package io.egoiverify.worker.command;

import java.time.Duration;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Whether a failed {@code poll} is the group coordinator still loading its state, and for how long the worker keeps
 * polling through that. After a broker restart or a coordinator move, Kafka 4's group coordinator answers SyncGroup
 * with COORDINATOR_LOAD_IN_PROGRESS while it loads the offsets partition; the classic consumer (4.3) does not treat
 * that answer as retriable and throws a plain {@link KafkaException} ("Unexpected error from SyncGroup: ..."). Its
 * own comment says the next poll rejoins, so the worker polls again instead of stopping (seen in BrokerOutageIT:
 * both workers stopped after a thawed broker). Anything else, or the same error for longer than {@link #WINDOW},
 * still stops the worker.
 *
 * <p>Not thread-safe: used by the worker's poll loop only.
 */
final class CoordinatorLoading {
    /** Loading an offsets partition takes seconds; a minute of nothing else means something else is wrong. */
    static final Duration WINDOW = Duration.ofMinutes(1);
    /** Between polls that failed so (in-flight calls keep running meanwhile; their results wait this long at most). */
    static final Duration BACKOFF = Duration.ofMillis(100);

    private long firstNanos;
    private int inARow;

    /** True if {@code e} is the coordinator loading and the worker should poll again; counts the streak. */
    boolean pollAgain(KafkaException e, long nowNanos) {
        if (!isLoading(e)) {
            return false;
        }
        if (inARow++ == 0) {
            firstNanos = nowNanos;
        }
        return nowNanos - firstNanos <= WINDOW.toNanos();
    }

    /** A poll that returned ends the streak. */
    void polled() {
        inARow = 0;
    }

    int inARow() {
        return inARow;
    }

    static boolean isLoading(KafkaException e) {
        String message = e.getMessage();
        return e.getClass() == KafkaException.class && message != null
                && message.contains(Errors.COORDINATOR_LOAD_IN_PROGRESS.message());
    }
}
