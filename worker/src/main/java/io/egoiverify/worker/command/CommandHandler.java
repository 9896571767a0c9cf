package io.egoiverify.worker.command;

import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

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

    /**
     * As {@link #execute(VerificationCommand)}, for a command whose partition may be given up while it runs:
     * {@code givenUp} turns true (on the poll thread; read it from any thread) once the partition went to another
     * instance, whose commit the result could no longer join (it is dropped) while the new owner runs the command
     * again. A handler should then make no further provider call and complete the future soon (with any result).
     * By default the signal is ignored.
     */
    default CompletableFuture<VerificationCommandResult> execute(VerificationCommand command,
                                                                 BooleanSupplier givenUp) {
        return execute(command);
    }

    /** Releases what the handler holds (threads, timers); called by whoever built it, after the worker stopped. */
    @Override
    default void close() {
    }
}
