package io.egoiverify.worker.command;

import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.RegistryUnavailableException;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.worker.egoi.EgoiApi;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes admitted commands, executes them against E-goi concurrently (many per partition, bounded per instance) and
 * produces their results in Kafka transactions. Each transaction carries the results and, per partition, the first
 * unfinished offset plus the offsets done beyond it as commit metadata ({@link OffsetMetadataCodec}); a new owner skips
 * those, so after a crash only the commands in flight run again. One thread owns both Kafka clients; HTTP callbacks
 * only enqueue completions. Partition ownership and flow control are {@link OwnedPartitions}, the transaction
 * {@link ResultTransaction}; what it reports for metrics goes to a {@link WorkerMetrics}.
 *
 * <p>Lifecycle: {@link #start()}, {@link #isJoined()} for readiness, {@link #close(Duration)} for SIGTERM.
 */
public final class CommandWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandWorker.class);
    /** Failed commits in a row whose results are replayed; beyond, the owned partitions restart from Kafka. */
    private static final int MAX_REPLAYS = 3;

    private record Completion(TopicPartition tp, long offset, long generation, byte[] key,
                              VerificationCommandResult result) {
    }

    private final WorkerConfig config;
    private final Topics topics;
    private final Clock clock;
    private final WorkerMetrics metrics;
    private final CommandExecutor executor;
    private final ScheduledExecutorService scheduler;
    private final Deserializer<VerificationCommand> commands;
    private final Serializer<VerificationCommandResult> results;
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    /** Completed calls whose results could not be serialized (registry down), oldest first; still in flight. */
    private final ArrayDeque<Completion> held = new ArrayDeque<>();
    private final RegistryBackoff registryBackoff = new RegistryBackoff();
    private long retryHeldAtNanos;
    private final Thread thread;
    private volatile boolean joined;
    private volatile boolean stopping;
    private volatile boolean crashed;
    private volatile long stopDeadlineNanos;
    private KafkaConsumer<byte[], byte[]> consumer;
    private ResultTransaction transaction;
    private OwnedPartitions owned;
    /** Written by the worker thread only; read by metrics. */
    private volatile int inFlight;

    public CommandWorker(WorkerConfig config, Topics topics, EgoiApi egoi, SenderProfiles profiles, Clock clock) {
        this(config, topics, egoi, profiles, clock, WorkerMetrics.NONE);
    }

    public CommandWorker(WorkerConfig config, Topics topics, EgoiApi egoi, SenderProfiles profiles, Clock clock,
                         WorkerMetrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "worker-retries-" + config.transactionalId());
            t.setDaemon(true);
            return t;
        });
        CircuitBreakerRegistry breakers = config.breaker().registry();
        CircuitBreaker breaker = breakers.circuitBreaker("egoi");
        this.executor = new CommandExecutor(egoi, profiles, config.retries(), breaker, scheduler, clock, metrics);
        metrics.circuitBreakers(breakers);
        metrics.commandsInFlight(() -> inFlight);
        this.commands = topics.commands.valueSerde().deserializer();
        this.results = topics.results.valueSerde().serializer();
        this.thread = new Thread(this::run, "command-worker-" + config.transactionalId());
    }

    /** Connects, initialises the transactional producer and joins the group, on the worker's own thread. */
    public synchronized void start() {
        if (thread.getState() != Thread.State.NEW) {
            throw new IllegalStateException("already started");
        }
        thread.start();
    }

    /** Readiness: true once the consumer has joined its group and received an assignment (possibly empty). */
    public boolean isJoined() {
        return joined && thread.isAlive() && !stopping;
    }

    /** True while the worker thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Stops taking commands, lets in-flight calls finish within {@code timeout}, commits and closes. */
    public void close(Duration timeout) {
        stopDeadlineNanos = System.nanoTime() + timeout.toNanos();
        stopping = true;
        join(timeout.plusSeconds(5));
        scheduler.shutdownNow();
    }

    @Override
    public void close() {
        close(config.flow().shutdownGrace());
    }

    /** Test hook: dies like a killed process (no commit, open transaction left to be aborted). */
    void crash() {
        crashed = true;
        stopping = true;
        join(Duration.ofSeconds(10));
        scheduler.shutdownNow();
    }

    private void join(Duration d) {
        try {
            thread.join(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            consumer = KafkaClients.consumer(config);
            owned = new OwnedPartitions(consumer, config.flow());
            KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(config);
            transaction = new ResultTransaction(producer, config.flow());
            metrics.kafkaClientsCreated(consumer, producer);
            transaction.init();
            consumer.subscribe(List.of(topics.names.commands()), new Rebalance());
            LOG.info("Command worker {} started on {}", config.transactionalId(), topics.names.commands());
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(config.flow().pollTimeout());
                for (TopicPartition tp : records.partitions()) {
                    dispatch(tp, records.records(tp));
                }
                drain(0);
                maybeCommit(false);
                owned.resumeWhenPossible(inFlight);
            }
            if (!crashed) {
                shutdown();
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            LOG.error("Command worker {} fenced by a newer instance with the same transactional.id; stopping",
                    config.transactionalId());
        } catch (RuntimeException e) {
            LOG.error("Command worker {} failed; stopping", config.transactionalId(), e);
        } finally {
            joined = false;
            closeClients();
        }
    }

    private void shutdown() {
        consumer.pause(consumer.assignment());
        long remaining = stopDeadlineNanos - System.nanoTime();
        drainUntil(owned.all(), remaining);
        commitNow();
        LOG.info("Command worker {} stopped ({} call(s) abandoned)", config.transactionalId(), inFlight);
    }

    private void closeClients() {
        Duration grace = crashed ? Duration.ZERO : Duration.ofSeconds(5);
        if (consumer != null) {
            try {
                metrics.kafkaClientsClosing();
            } catch (RuntimeException e) {
                LOG.debug("Metrics unbinding: {}", e.toString());
            }
        }
        if (consumer != null) {
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(
                        crashed ? Duration.ofMillis(500) : grace));
            } catch (RuntimeException e) {
                LOG.debug("Consumer close: {}", e.toString());
            }
        }
        if (transaction != null) {
            transaction.close(grace);
        }
    }

    private void dispatch(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
        PartitionProgress progress = owned.get(tp);
        if (progress == null) {
            return;
        }
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            if (owned.full(progress, rec.offset(), inFlight)) {
                owned.defer(tp, rec.offset(), 0);
                return;
            }
            if (progress.skipIfDoneBefore(rec.offset())) {
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
                deadLetter(tp, progress, rec, e);
                continue;
            }
            registryBackoff.succeeded();
            progress.started(rec.offset());
            inFlight++;
            long generation = progress.generation;
            CompletableFuture<VerificationCommandResult> future;
            try {
                future = executor.execute(command);
            } catch (RuntimeException e) {
                future = CompletableFuture.failedFuture(e);
            }
            future.whenComplete((result, error) -> completions.add(new Completion(tp, rec.offset(), generation,
                    rec.key(), error == null ? result : internalError(command, error))));
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
        return command;
    }

    private void deadLetter(TopicPartition tp, PartitionProgress progress, ConsumerRecord<byte[], byte[]> rec,
                            RuntimeException e) {
        LOG.warn("Unreadable command at {}-{}@{} sent to {}: {}", rec.topic(), rec.partition(), rec.offset(),
                topics.names.deadLetter(), e.getClass().getSimpleName());
        transaction.send(tp, DeadLetters.of(topics.names.deadLetter(), rec, e.getClass().getName(), e.getMessage()));
        metrics.deadLettered(e.getClass().getSimpleName());
        progress.started(rec.offset());
        progress.done(rec.offset());
    }

    private VerificationCommandResult internalError(VerificationCommand c, Throwable error) {
        LOG.error("Internal error executing command for requestId={}", c.getRequestId(), error);
        return VerificationCommandResult.newBuilder().setCommandId(c.getCommandId()).setRequestId(c.getRequestId())
                .setCompletedAt(clock.instant()).setStatus(io.egoiverify.internal.CommandStatus.UNAVAILABLE)
                .setDetail("internal error: " + error.getClass().getSimpleName()).build();
    }

    /** Takes completed calls; waits up to {@code waitNanos} for the first one. */
    private void drain(long waitNanos) {
        Completion c;
        try {
            c = waitNanos > 0 ? completions.poll(waitNanos, TimeUnit.NANOSECONDS) : completions.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        while (c != null) {
            complete(c);
            c = completions.poll();
        }
        retryHeld();
    }

    private void drainUntil(Collection<TopicPartition> partitions, long budgetNanos) {
        long deadline = System.nanoTime() + Math.max(0, budgetNanos);
        while (owned.inFlightOn(partitions) > 0 && deadline - System.nanoTime() > 0) {
            drain(Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(50)));
            maybeCommit(false);
        }
    }

    private void complete(Completion c) {
        // while the registry is down, later results queue behind the held ones without calling it
        if (!held.isEmpty() || !tryComplete(c)) {
            held.addLast(c);
        }
    }

    /** Retries the held results once their backoff has passed, oldest first, until one fails again. */
    private void retryHeld() {
        while (!held.isEmpty() && System.nanoTime() - retryHeldAtNanos >= 0) {
            if (!tryComplete(held.peekFirst())) {
                return;
            }
            held.pollFirst();
        }
    }

    /**
     * Puts the result into the transaction and marks its command done; false if the registry cannot be reached to
     * serialize it: the caller keeps the result (the call is not made again) and the command stays in flight, so the
     * partition's committed position does not pass it.
     */
    private boolean tryComplete(Completion c) {
        PartitionProgress p = owned.get(c.tp());
        if (p == null || p.generation != c.generation()) {
            inFlight--;
            LOG.debug("Dropping result for {}@{}: partition no longer owned", c.tp(), c.offset());
            return true;
        }
        byte[] value;
        try {
            value = results.serialize(topics.names.results(), c.result());
        } catch (RegistryUnavailableException e) {
            long delay = registryBackoff.failed();
            retryHeldAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
            LOG.warn("Schema registry unavailable writing the result for {}-{}@{} ({}); kept with {} other(s), "
                    + "retrying in {} ms", c.tp().topic(), c.tp().partition(), c.offset(), e.getMessage(),
                    held.size(), delay);
            return false;
        }
        registryBackoff.succeeded();
        inFlight--;
        transaction.send(c.tp(), new ProducerRecord<>(topics.names.results(), c.key(), value));
        p.done(c.offset());
        metrics.answered(c.result().getStatus(), c.result().getProviderCalls() > 0);
        return true;
    }

    /** Commits now, trying again (with the aborted results replayed) if Kafka refuses; true once committed. */
    private boolean commitNow() {
        for (int attempt = 0; attempt < MAX_REPLAYS; attempt++) {
            if (maybeCommit(true)) {
                return true;
            }
        }
        return false;
    }

    /** Commits when due; false if the commit failed (and was aborted). */
    private boolean maybeCommit(boolean force) {
        if (!transaction.due(force)) {
            return true;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = owned.offsetsToCommit();
        if (!transaction.open() && offsets.isEmpty()) {
            return true;
        }
        if (transaction.commit(offsets, consumer.groupMetadata())) {
            owned.committed(offsets);
            return true;
        }
        Set<TopicPartition> all = owned.all();
        if (transaction.failures() < MAX_REPLAYS) {
            // the calls behind the aborted results were made: send the results again rather than the SMS
            transaction.replay(all::contains);
        } else {
            LOG.warn("Commit failed {} times in a row; restarting owned partitions from their committed offsets",
                    transaction.failures());
            transaction.replay(tp -> false);
            owned.take(all);
        }
        return false;
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (crashed) {
                return;
            }
            // on close (consumer.close revokes everything) the stop deadline bounds the wait, so that close returns
            // within its timeout and a JVM shutdown hook does not end mid-commit
            long budget = stopping ? stopDeadlineNanos - System.nanoTime() : config.flow().revokeGrace().toNanos();
            drainUntil(partitions, budget);
            commitNow();
            owned.forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            transaction.abort();
            owned.forget(partitions);
            transaction.replay(owned.all()::contains);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            owned.take(partitions);
            joined = true;
            LOG.info("Command worker {} assigned {}", config.transactionalId(), partitions);
        }
    }
}
