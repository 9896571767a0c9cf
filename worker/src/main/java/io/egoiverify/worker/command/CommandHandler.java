package io.egoiverify.worker.command;

import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import java.util.concurrent.CompletableFuture;

/**
 * What the command worker calls to carry out one command: the worker owns Kafka (reading commands, producing results
 * in transactions, offsets), the handler owns everything between a command and its result (E-goi calls, retries,
 * circuit breaker). {@link CommandExecutor#create} builds the E-goi one.
 *
 * <p>The returned future must complete, and never exceptionally: a command whose call failed is answered with a
 * result saying so. {@link #execute} is called on the worker's poll thread and must not block; the future may complete
 * on any thread.
 */
public interface CommandHandler extends AutoCloseable {
    CompletableFuture<VerificationCommandResult> execute(VerificationCommand command);

    /** Releases what the handler holds (threads, timers); called by whoever built it, after the worker stopped. */
    @Override
    default void close() {
    }
}
