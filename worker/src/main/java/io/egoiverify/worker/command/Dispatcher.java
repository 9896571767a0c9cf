package io.egoiverify.worker.command;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.RegistryUnavailableException;
import io.egoiverify.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From polled records to calls started: within the flow bounds, each record is skipped (done by a previous owner),
 * dead-lettered (unreadable, or ids no result can carry), deferred (registry unreachable: read again after a
 * backoff, nothing is lost) or handed to the {@link CommandHandler}, whose result goes to the {@link ResultPipeline}.
 * Poll thread only.
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /**
     * Longest commandId or requestId a command may carry (characters): the lifecycle issues requestIds of at most
     * 1,024 characters and commandIds a few dozen longer. A result echoes both (the requestId as its key too), so a
     * command whose ids filled a 1 MiB record made a result the producer refused for good, and the worker stopped
     * on it after every restart. A longer one is dead-lettered.
     */
    static final int MAX_ID_LENGTH = 2_048;

    private final Deserializer<VerificationCommand> commands;
    private final CommandHandler handler;
    private final OwnedPartitions owned;
    private final ResultPipeline results;
    private final RegistryBackoff registryBackoff;
    private final Clock clock;

    Dispatcher(Topics topics, CommandHandler handler, OwnedPartitions owned, ResultPipeline results,
               RegistryBackoff registryBackoff, Clock clock) {
        this.commands = topics.commands.valueSerde().deserializer();
        this.handler = handler;
        this.owned = owned;
        this.results = results;
        this.registryBackoff = registryBackoff;
        this.clock = clock;
    }

    void dispatch(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
        PartitionProgress progress = owned.get(tp);
        if (progress == null) {
            return;
        }
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            if (owned.full(progress, rec.offset())) {
                owned.defer(tp, rec.offset(), 0);
                return;
            }
            if (progress.skipIfDoneBefore(rec.offset())) {
                progress.passed(rec.offset());
                continue;
            }
            VerificationCommand command;
            try {
                command = read(rec);
            } catch (RegistryUnavailableException e) {
                // an outage, not a bad record: wait here (position not advanced), nothing is dead-lettered
                long delay = registryBackoff.failed();
                LOG.warn("Schema registry unavailable reading {}-{}@{} ({}); retrying in {} ms", tp.topic(),
                        tp.partition(), rec.offset(), e.getMessage(), delay);
                owned.defer(tp, rec.offset(), delay);
                return;
            } catch (SerializationException | IllegalArgumentException e) {
                results.deadLetter(tp, progress, rec, e);
                progress.passed(rec.offset());
                continue;
            }
            registryBackoff.succeeded();
            start(tp, progress, rec, command);
            progress.passed(rec.offset());
        }
    }

    private VerificationCommand read(ConsumerRecord<byte[], byte[]> rec) {
        if (rec.key() == null || rec.value() == null) {
            throw new IllegalArgumentException(rec.key() == null ? "record has no key" : "record has no value");
        }
        VerificationCommand command = commands.deserialize(rec.topic(), rec.value());
        if (!new String(rec.key(), StandardCharsets.UTF_8).equals(command.getRequestId())) {
            throw new IllegalArgumentException("record key is not the command's requestId");
        }
        if (command.getRequestId().length() > MAX_ID_LENGTH || command.getCommandId().length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("commandId or requestId longer than " + MAX_ID_LENGTH + " characters");
        }
        return command;
    }

    private void start(TopicPartition tp, PartitionProgress progress, ConsumerRecord<byte[], byte[]> rec,
                       VerificationCommand command) {
        progress.started(rec.offset());
        CompletableFuture<VerificationCommandResult> future;
        try {
            future = handler.execute(command, progress);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((result, error) -> results.completed(new ResultPipeline.Completion(tp, progress,
                rec.offset(), rec.key(), error == null && result != null ? result : internalError(command, error))));
    }

    /** The handler broke its contract (a failed future): the command is answered UNAVAILABLE, never left hanging. */
    private VerificationCommandResult internalError(VerificationCommand c, Throwable error) {
        LOG.error("Internal error executing command for requestId={}", c.getRequestId(), error);
        return VerificationCommandResult.newBuilder().setCommandId(c.getCommandId()).setRequestId(c.getRequestId())
                .setCompletedAt(clock.instant()).setStatus(CommandStatus.UNAVAILABLE)
                .setDetail("internal error: " + (error == null ? "no result" : error.getClass().getSimpleName()))
                .build();
    }
}
