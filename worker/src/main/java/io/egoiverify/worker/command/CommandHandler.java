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
     * As {@link #execute(VerificationCommand)}, for a command whose partition may move while it runs ({@code
     * standing}). By default the standing is ignored.
     */
    default CompletableFuture<VerificationCommandResult> execute(VerificationCommand command, Standing standing) {
        return execute(command);
    }

    /**
     * Where a running command's partition stands; changed on the worker's poll thread, read from any thread. A
     * handler should start no provider call while the partition is {@linkplain #held() held}, and none at all once it
     * is {@linkplain #givenUp() given up} (then complete the future soon, with any result).
     */
    interface Standing {
        /** A partition that never moves (a handler driven without a worker). */
        Standing OWNED = givenUpWhen(() -> false);

        /**
         * True once the partition went to another instance: the result can no longer join its commit (it is dropped)
         * while the new owner runs the command again.
         */
        boolean givenUp();

        /**
         * True while a rebalance has taken the partition away (revoked, or lost with this member's session) and not
         * yet said whether it comes back. A call started now may be made a second time by another member that owns
         * the partition already (a second SMS), and if the partition comes back the command simply continues.
         */
        boolean held();

        /** A future of the caller's own that completes once {@link #held} is false (at once if it is now). */
        CompletableFuture<Void> unheld();

        /** Never held; given up once {@code givenUp} says so. */
        static Standing givenUpWhen(BooleanSupplier givenUp) {
            return new Standing() {
                @Override
                public boolean givenUp() {
                    return givenUp.getAsBoolean();
                }

                @Override
                public boolean held() {
                    return false;
                }

                @Override
                public CompletableFuture<Void> unheld() {
                    return CompletableFuture.completedFuture(null);
                }
            };
        }
    }

    /** Releases what the handler holds (threads, timers); called by whoever built it, after the worker stopped. */
    @Override
    default void close() {
    }
}
