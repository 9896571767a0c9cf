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
    private final CoordinatorLoading coordinatorLoading = new CoordinatorLoading();
    private final CompletableFuture<Boolean> ended = new CompletableFuture<>();
    /** What ended the worker thread when it was fenced or failed; set before {@link #ended} completes. */
    private volatile String failure;

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
            int deadLetterMaxBytes = deadLetterLimit();
            owned = new OwnedPartitions(consumer, config.flow(), this::committed);
            transaction = new ResultTransaction(new TransactionalProducer(new TransactionKafka()), config.flow());
            RegistryBackoff registryBackoff = new RegistryBackoff();
            results = new ResultPipeline(topics, owned, transaction, registryBackoff, metrics,
                    consumer::groupMetadata, deadLetterMaxBytes);
            dispatcher = new Dispatcher(topics, handler, owned, results, registryBackoff, clock);
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

    private ConsumerRecords<byte[], byte[]> poll() {
        try {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(config.flow().pollTimeout());
            coordinatorLoading.polled();
            return records;
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

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
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
            LOG.warn("Command worker {} lost {}: the group no longer counts it as a member (e.g. its session "
                    + "expired); their work is held for {} in case they come back", config.transactionalId(),
                    partitions, ResultPipeline.LOST_HOLD);
            results.lost(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            results.assigned(partitions, consumer.assignment());
            joined = true;
            LOG.info("Command worker {} assigned {}", config.transactionalId(), partitions);
        }
    }
}
