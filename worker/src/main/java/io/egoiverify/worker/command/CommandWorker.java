package io.egoiverify.worker.command;

import io.egoiverify.schemas.topics.DeadLetterLimit;
import io.egoiverify.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes admitted commands, has them carried out by a {@link CommandHandler} concurrently (many per partition,
 * bounded per instance) and produces their results in Kafka transactions. Each transaction carries the results and,
 * per partition, the first unfinished offset plus the offsets done beyond it as commit metadata
 * ({@link OffsetMetadataCodec}); a new owner skips those, so after a crash only the commands in flight run again.
 *
 * <p>This class is the poll loop and the group membership: one thread owns the consumer and the transactional producer.
 * Records become calls in the {@link Dispatcher}, finished calls become committed results in the
 * {@link ResultPipeline} (over {@link ResultTransaction}); partition ownership and flow control are
 * {@link OwnedPartitions}. Lifecycle: {@link #start()}, {@link #isJoined()} for readiness, {@link #close(Duration)} for
 * SIGTERM.
 */
public final class CommandWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandWorker.class);

    private static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long a static member keeps trying to join while the broker refuses its {@code group.instance.id}: under
     * the consumer protocol (KIP-848) a crashed member's instance id stays owned until its session expires
     * ({@code group.consumer.session.timeout.ms}, 45 s by default, 60 s at most).
     */
    static final Duration UNRELEASED_INSTANCE_WAIT = Duration.ofMinutes(2);
    /** Between two attempts: a refused consumer cannot rejoin, so each attempt is a new one. */
    private static final Duration UNRELEASED_INSTANCE_BACKOFF = Duration.ofSeconds(1);
    private final WorkerConfig config;
    private final Topics topics;
    private final CommandHandler handler;
    private final Clock clock;
    private final WorkerMetrics metrics;
    private final Thread thread;
    private volatile boolean joined;
    private volatile boolean stopping;
    /** Fenced, or a record refused for good: no transaction of this worker can commit any more. */
    private volatile boolean cannotCommit;
    private volatile long stopDeadlineNanos;
    private volatile OwnedPartitions owned;
    private KafkaConsumer<byte[], byte[]> consumer;
    private ResultTransaction transaction;
    private ResultPipeline results;
    private Dispatcher dispatcher;
    private RegistryBackoff registryBackoff;
    private int deadLetterMaxBytes;
    private final TransactionKafka transactionKafka = new TransactionKafka();
    /** When the broker first refused this member's instance id (System.nanoTime), while still waiting; else 0. */
    private long unreleasedSinceNanos;
    private final CoordinatorLoading coordinatorLoading = new CoordinatorLoading();
    private final CompletableFuture<Boolean> ended = new CompletableFuture<>();
    /** What ended the worker thread when it was fenced or failed; set before {@link #ended} completes. */
    private volatile String failure;
    /** Set right before the consumer closes: a rebalance callback then must not throw (see {@link Rebalance}). */
    private volatile boolean closingConsumer;

    /**
     * @param handler carries out each command (e.g. {@link CommandExecutor#create}); its owner closes it after this
     *                worker
     * @param metrics what the worker reports ({@link WorkerMetrics#NONE} for nothing)
     */
    public CommandWorker(WorkerConfig config, Topics topics, CommandHandler handler, Clock clock,
                         WorkerMetrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        metrics.commandsInFlight(() -> {
            OwnedPartitions o = owned;
            return o == null ? 0 : o.inFlightSeen();
        });
        this.thread = new Thread(this::run, "command-worker-" + config.transactionalId());
    }

    /**
     * Connects, initialises the transactional producer and joins the group, on the worker's own thread; after
     * {@link #close} it starts nothing ({@link #ended()} completes {@code false}).
     */
    public synchronized void start() {
        if (thread.getState() != Thread.State.NEW) {
            throw new IllegalStateException("already started");
        }
        if (stopping) {
            // A stop during start-up: initialising the producer would still fence the instance it replaces.
            ended.complete(false);
            return;
        }
        thread.start();
    }

    /** Readiness: true once the consumer has joined its group and received an assignment (possibly empty). */
    public boolean isJoined() {
        return joined && thread.isAlive() && !stopping;
    }

    /**
     * Completes when the worker thread has ended and closed its clients: {@code true} when it stopped without being
     * asked (fenced by a newer instance, or failed), so its owner can stop the process instead of running on without
     * a worker; {@code false} after {@link #close}.
     */
    public CompletableFuture<Boolean> ended() {
        return ended;
    }

    /**
     * What ended the worker thread, in one line, when it was fenced or failed (e.g. the exception of a refused
     * authentication), for its owner's message; empty while it runs or when it ended normally.
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** True while the worker thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Stops taking commands, lets in-flight calls finish within {@code timeout}, commits and closes. */
    public void close(Duration timeout) {
        stopDeadlineNanos = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            stopping = true; // under start's lock: the thread is either alive (joined below) or never started
        }
        try {
            thread.join(timeout.plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(config.flow().shutdownGrace());
    }

    private void run() {
        try {
            consumer = KafkaClients.consumer(config);
            requireTopics();
            deadLetterMaxBytes = deadLetterLimit();
            transaction = new ResultTransaction(new TransactionalProducer(transactionKafka), config.flow());
            registryBackoff = new RegistryBackoff();
            pipelineOn(consumer);
            transaction.init();
            consumer.subscribe(List.of(topics.names.commands()), new Rebalance());
            LOG.info("Command worker {} started on {}", config.transactionalId(), topics.names.commands());
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = poll();
                for (TopicPartition tp : records.partitions()) {
                    dispatcher.dispatch(tp, records.records(tp));
                }
                results.drain(0);
                results.maybeCommit(false);
                results.releaseExpiredHolds(System.nanoTime());
                owned.resumeWhenPossible();
            }
            shutdown();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            cannotCommit = true;
            failure = "fenced by a newer instance with the same transactional.id";
            LOG.error("Command worker {} fenced by a newer instance with the same transactional.id; stopping",
                    config.transactionalId());
        } catch (ResultTransaction.RecordRefusedException e) {
            cannotCommit = true;
            failure = "cannot commit: " + e.getMessage();
            LOG.error("Command worker {} cannot commit: {}", config.transactionalId(), e.getMessage());
        } catch (MissingTopicsException e) {
            failure = e.getMessage();
            LOG.error("Command worker {}: {}", config.transactionalId(), e.getMessage());
        } catch (RuntimeException e) {
            failure = oneLine(e);
            LOG.error("Command worker {} failed; stopping", config.transactionalId(), e);
        } finally {
            joined = false;
            closeClients();
            ended.complete(!stopping);
        }
    }

    /**
     * Its three topics exist (the platform creates them; the worker never does): otherwise it would join its group
     * with nothing to read and look ready, e.g. with a wrong {@code topics.prefix}. Before the producer's
     * initialisation, which would fence the instance this one replaces.
     */
    private void requireTopics() {
        List<String> missing = new ArrayList<>();
        for (String topic : List.of(topics.names.commands(), topics.names.results(), topics.names.deadLetter())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, TOPIC_CHECK_TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                missing.add(topic);
            } else if (topic.equals(topics.names.commands())) {
                metrics.commandPartitions(partitions.size());
            }
        }
        if (!missing.isEmpty()) {
            throw new MissingTopicsException("refusing to start: topics missing: " + missing + " (create them, or "
                    + "check topics.prefix and topics.name.*)");
        }
    }

    /**
     * How large a dead letter may be: the producer's {@code max.request.size} and the dead-letter topic's
     * {@code max.message.bytes}. A larger one would be refused for good and stop the worker on every restart.
     */
    private int deadLetterLimit() {
        int maxRequestSize = DeadLetterLimit.maxRequestSize(KafkaClients.producerProperties(config),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        try (Admin admin = Admin.create(KafkaClients.adminProperties(config))) {
            return DeadLetterLimit.read(admin, topics.names.deadLetter(), maxRequestSize, TOPIC_CHECK_TIMEOUT);
        }
    }

    /** The exception and, when another, its root cause (e.g. a refused authentication), on one line. */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root == e ? e.toString() : e + " (cause: " + root + ")";
        return text.replaceAll("[\\r\\n]+", " ");
    }

    /** A deployment error said in one line: no stack trace. */
    private static final class MissingTopicsException extends IllegalStateException {
        MissingTopicsException(String message) {
            super(message);
        }
    }

    /** The parts of the pipeline that hold the consumer, on {@code c}. */
    private void pipelineOn(KafkaConsumer<byte[], byte[]> c) {
        owned = new OwnedPartitions(c, config.flow(), this::committed);
        results = new ResultPipeline(topics, owned, transaction, registryBackoff, metrics, c::groupMetadata,
                deadLetterMaxBytes);
        dispatcher = new Dispatcher(topics, handler, owned, results, registryBackoff, clock);
    }

    private ConsumerRecords<byte[], byte[]> poll() {
        try {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(config.flow().pollTimeout());
            coordinatorLoading.polled();
            return records;
        } catch (UnreleasedInstanceIdException e) {
            if (joined || !waitForInstanceId()) {
                throw e;
            }
            return ConsumerRecords.empty();
        } catch (KafkaException e) {
            if (!coordinatorLoading.pollAgain(e, System.nanoTime())) {
                throw e;
            }
            LOG.warn("Command worker {}: the group coordinator is loading ({} time(s) in a row); polling again",
                    config.transactionalId(), coordinatorLoading.inARow());
            try {
                Thread.sleep(CoordinatorLoading.BACKOFF.toMillis()); // the join fails at once while it loads
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw e;
            }
            return ConsumerRecords.empty();
        }
    }

    /**
     * The broker refused this static member's {@code group.instance.id}: a previous member with it (this instance
     * before a crash) is still in the group until its session expires. Before the first assignment nothing is owned
     * or in flight, so a new consumer tries again, every second up to {@link #UNRELEASED_INSTANCE_WAIT}; false once
     * that has passed. Said once, not at every attempt.
     */
    private boolean waitForInstanceId() {
        long now = System.nanoTime();
        if (unreleasedSinceNanos == 0) {
            unreleasedSinceNanos = now;
            LOG.warn("Command worker {}: the broker refuses group.instance.id {} while a previous member with it is "
                    + "in the group (this instance before a restart, until its session expires: the broker's "
                    + "group.consumer.session.timeout.ms); joining again every {} s for up to {}",
                    config.transactionalId(), consumer.groupMetadata().groupInstanceId().orElse("(none)"),
                    UNRELEASED_INSTANCE_BACKOFF.toSeconds(), UNRELEASED_INSTANCE_WAIT);
        } else if (now - unreleasedSinceNanos > UNRELEASED_INSTANCE_WAIT.toNanos()) {
            return false;
        }
        try {
            Thread.sleep(UNRELEASED_INSTANCE_BACKOFF.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
        metrics.kafkaClientsClosing();
        closeQuietly(consumer);
        consumer = KafkaClients.consumer(config);
        metrics.kafkaClientsCreated(consumer, transactionKafka.producer);
        pipelineOn(consumer);
        consumer.subscribe(List.of(topics.names.commands()), new Rebalance());
        return true;
    }

    private static void closeQuietly(KafkaConsumer<byte[], byte[]> c) {
        try {
            c.close(CloseOptions.timeout(Duration.ZERO));
        } catch (RuntimeException e) {
            LOG.debug("Closing the refused consumer: {}", e.toString());
        }
    }

    private void shutdown() {
        consumer.pause(consumer.assignment());
        results.drainUntil(owned.all(), stopDeadlineNanos - System.nanoTime());
        results.commitNow();
        LOG.info("Command worker {} stopped ({} call(s) abandoned)", config.transactionalId(), owned.inFlight());
    }

    /** The group's committed offsets, waiting for the broker while it does not answer (until stopping). */
    private Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        for (int attempt = 1; ; attempt++) {
            try {
                return consumer.committed(partitions);
            } catch (TimeoutException e) {
                if (stopping) {
                    throw e;
                }
                LOG.warn("Reading committed offsets timed out ({} time(s)); retrying", attempt);
            }
        }
    }

    private void closeClients() {
        if (consumer != null) {
            try {
                metrics.kafkaClientsClosing();
            } catch (RuntimeException e) {
                LOG.debug("Metrics unbinding: {}", e.toString());
            }
            closingConsumer = true;
            try {
                // Leave the group even as a static member (group.instance.id): a graceful stop is a scale-down or
                // a rolling restart, and waiting out the session timeout would stall its partitions meanwhile.
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))
                        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            } catch (RuntimeException e) {
                LOG.debug("Consumer close: {}", e.toString());
            }
        }
        if (transaction != null) {
            transaction.close(Duration.ofSeconds(5));
        }
    }

    /** The Kafka side of the transaction: producers of this instance and the group's committed offsets. */
    private final class TransactionKafka implements TransactionalProducer.Kafka {
        private boolean bound;
        /** The producer in use, for binding a replaced consumer's metrics beside it. */
        private Producer<byte[], byte[]> producer;

        @Override
        public Producer<byte[], byte[]> newProducer() {
            return KafkaClients.producer(config);
        }

        @Override
        public void producerReady(Producer<byte[], byte[]> producer) {
            if (bound) {
                metrics.kafkaClientsClosing();
            }
            metrics.kafkaClientsCreated(consumer, producer);
            this.producer = producer;
            bound = true;
        }

        @Override
        public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
            return CommandWorker.this.committed(partitions);
        }

        @Override
        public boolean stopping() {
            return stopping;
        }
    }

    /**
     * The group's callbacks into the pipeline. While the consumer closes they never throw: the classic consumer
     * calls them before its LeaveGroup and skips the LeaveGroup when one throws, so the member (of a worker fenced or
     * failing) would hold its partitions until its session expired.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (closingConsumer) {
                onClose("revoked", () -> revoked(partitions));
            } else {
                revoked(partitions);
            }
        }

        private void revoked(Collection<TopicPartition> partitions) {
            if (cannotCommit) {
                // Closing after a fence or a refused record: the revoke-time commit would fail the same way, and its
                // stack traces would bury the one line that says why the worker stopped.
                return;
            }
            // on close (consumer.close revokes everything) the stop deadline bounds the wait, so that close returns
            // within its timeout and a JVM shutdown hook does not end mid-commit
            long budget = stopping ? stopDeadlineNanos - System.nanoTime() : config.flow().revokeGrace().toNanos();
            results.revoked(partitions, budget);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (cannotCommit) {
                // fenced (or a record refused): nothing of theirs can commit, and aborting fails the same way
                return;
            }
            if (closingConsumer) {
                // the close of a member the group no longer counts: nothing of theirs can commit any more
                onClose("lost", () -> results.lost(partitions));
                return;
            }
            LOG.warn("Command worker {} lost {}: the group no longer counts it as a member (e.g. its session "
                    + "expired); their work is held for {} in case they come back", config.transactionalId(),
                    partitions, ResultPipeline.LOST_HOLD);
            results.lost(partitions);
        }

        private void onClose(String what, Runnable callback) {
            try {
                callback.run();
            } catch (RuntimeException e) {
                LOG.warn("Command worker {}: releasing the {} partitions on close failed ({}); leaving the group "
                        + "anyway", config.transactionalId(), what, oneLine(e));
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            results.assigned(partitions, consumer.assignment());
            joined = true;
            if (unreleasedSinceNanos != 0) {
                LOG.info("Command worker {} joined once the previous member's session expired ({} s)",
                        config.transactionalId(), (System.nanoTime() - unreleasedSinceNanos) / 1_000_000_000L);
                unreleasedSinceNanos = 0;
            }
            LOG.info("Command worker {} assigned {}", config.transactionalId(), partitions);
        }
    }
}
