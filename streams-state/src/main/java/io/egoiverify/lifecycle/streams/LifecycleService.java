package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.schemas.registry.SchemaNotFoundException;
import io.egoiverify.schemas.topics.DeadLetterLimit;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the lifecycle topology: a tiny start/close lifecycle over {@link KafkaStreams} for the CLI. */
public final class LifecycleService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleService.class);
    static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@code commit.interval.ms} and {@code poll.ms}; see {@link #streamsProperties}. */
    static final long COMMIT_INTERVAL_MS = 20;
    /** Offsets of changelog a client may lag by and still take an active task (Kafka's default: 10,000). */
    static final long ACCEPTABLE_RECOVERY_LAG = 1_000;
    /** Default {@code producer.retry.backoff.ms}; see {@link #streamsProperties}. */
    static final long PRODUCER_RETRY_BACKOFF_MS = 10;
    /** Default consumer {@code session.timeout.ms}; see {@link #streamsProperties}. */
    static final long SESSION_TIMEOUT_MS = 6_000;
    /** Default consumer {@code heartbeat.interval.ms}; see {@link #streamsProperties}. */
    static final long HEARTBEAT_INTERVAL_MS = 1_000;
    /** Default producer {@code transaction.timeout.ms}; see {@link #streamsProperties}. */
    static final long TRANSACTION_TIMEOUT_MS = 4_000;

    private final LifecycleOptions options;
    /**
     * Written under this object's monitor by {@link #start} and read without it: readiness probes and the status
     * query read the state while {@link #close} (synchronized, seconds long) runs, and must not wait for it.
     */
    private volatile KafkaStreams streams;
    private final CompletableFuture<Void> failed = new CompletableFuture<>();
    /** Set by {@link #close}: a start-up not yet past its topic checks starts nothing. */
    private volatile boolean closeRequested;
    /** The partitions of the topology's source topics, counted at start-up; 0 before. */
    private volatile int sourcePartitions;
    /** The partitions of each co-partitioned topic (the requestId's), counted at start-up; 0 before. */
    private volatile int keyPartitions;

    public LifecycleService(LifecycleOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * The Streams configuration: {@code kafkaProps} (bootstrap.servers, security, state.dir, … — anything) plus
     * application.id, num.standby.replicas, commit.interval.ms=20 (and poll.ms=20), a 6 s consumer session timeout
     * (1 s heartbeat), a 4 s transaction timeout and an acceptable recovery lag of 1,000 offsets unless given there,
     * and always exactly_once_v2, the dead-letter topic, this module's exception handlers and its timestamp extractor
     * ({@link InputTimestamps}).
     *
     * <p>The session timeout and heartbeat are defaults under the {@code consumer.} prefix, and in Streams a prefixed
     * setting beats a bare one: a bare {@code session.timeout.ms} / {@code heartbeat.interval.ms} in
     * {@code kafkaProps} is therefore copied under the prefix (unless a prefixed one is given too), so that an
     * operator's value is not silently lost to the default.
     */
    public static Properties streamsProperties(Topics topics, LifecycleConfig config, Properties kafkaProps) {
        Properties p = new Properties();
        p.putAll(kafkaProps);
        dropConsumerGroupProtocol(p);
        p.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(config.standbyReplicas()));
        // Every exactly-once hop of a verification waits for a commit, and request->sent crosses five of them (three
        // in this app: request, verdict, result). At 100 ms a hop waits up to 100 ms: five of them cannot fit issue
        // 13's 150 ms p99 (measured at 100 ms: p99 602-668 ms at 1,000/s). 20 ms is the longest interval that can;
        // 10 ms doubles the transactions again. Each transaction costs the broker its markers, so shorter intervals
        // cost capacity on a CPU-starved host: see the curves in e2e/README.md ("Latency", issue 13; on a quiet
        // machine 20 ms was the fastest of 20, 50 and 100 ms at 75 and 150/s, with no capacity lost there).
        p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(COMMIT_INTERVAL_MS));
        // A thread commits between polls: with nothing new to read it would block in poll for Streams' 100 ms default
        // before committing what it has already processed, whatever the commit interval.
        p.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, Long.toString(COMMIT_INTERVAL_MS));
        // Fail-over (and the retry of a replaced thread, whose old member does not leave the group) must be much
        // faster than a TTL: Kafka's 45 s session timeout is not. 6 s is the lowest a broker accepts by default
        // (group.min.session.timeout.ms); survivors hear of the rebalance at their next heartbeat, every second.
        groupTiming(p, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(SESSION_TIMEOUT_MS));
        groupTiming(p, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(HEARTBEAT_INTERVAL_MS));
        // A lifecycle restarted after a crash comes back with its stores wiped (exactly-once keeps no checkpoint of a
        // crashed task). Kafka's 10,000 offsets of acceptable lag count it as caught up whenever a task's changelog is
        // shorter than that (a young or quiet deployment), so it took active tasks back at once and restored them
        // while their requests waited: a second stall of up to 18 s p99 after the fail-over, measured (e2e/README.md,
        // "A restarted lifecycle"). With 1,000 it gets warm-up copies and its tasks only once caught up, while the
        // standby that took over keeps them; 1,000 leaves a standby, some 100 offsets behind at 2,500/s (estimated:
        // a commit interval and a fetch), counted as caught up.
        p.putIfAbsent(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, Long.toString(ACCEPTABLE_RECOVERY_LAG));
        // A dead instance's open transaction holds back every read_committed reader of the partitions it wrote
        // (outcomes, the guard's topics, the changelogs its standby restores: the survivor's own partitions too)
        // until the coordinator aborts it, at the timeout plus up to the broker's check interval (1 s recommended).
        // 4 s + 1 s lands before the dead member can be detected (session 6 s less a heartbeat: 5 s at the earliest);
        // at 6 s the abort came after the take-over in the measured runs and held back the restored tasks
        // (e2e/README.md, "Where a lifecycle fail-over's seconds go"). A transaction lives one commit interval
        // (Streams' exactly-once default timeout is 10 s).
        p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                p.getOrDefault(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(TRANSACTION_TIMEOUT_MS)));
        // With transactions v2 (Kafka 4 brokers) a record produced while the previous transaction's markers are
        // still being written is answered CONCURRENT_TRANSACTIONS and retried after retry.backoff.ms (100 ms,
        // doubling): at a 20 ms commit interval that is the common case, and 100 ms is five intervals.
        p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG),
                p.getOrDefault(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, Long.toString(PRODUCER_RETRY_BACKOFF_MS)));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.names.deadLetter());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetteringDeserializationHandler.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetteringProcessingHandler.class.getName());
        // Every source of the topology sets it too; this covers any source added without one.
        p.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, InputTimestamps.class.getName());
        // No global stores here; enabling it only silences Kafka's start-up warning about the future default.
        p.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                RegistryAwareProductionHandler.class.getName());
        return p;
    }

    /**
     * A bare {@code group.protocol=consumer} (KIP-848) is meant for the worker's plain consumer: Kafka Streams accepts
     * only {@code classic} or {@code streams} (KIP-1071) and would refuse to start, so the lifecycle leaves it out.
     */
    private static void dropConsumerGroupProtocol(Properties p) {
        Object protocol = p.get(StreamsConfig.GROUP_PROTOCOL_CONFIG);
        if (protocol != null && "consumer".equalsIgnoreCase(protocol.toString().trim())) {
            LOG.warn("kafka.group.protocol=consumer is a plain consumer's group protocol, which Kafka Streams does "
                    + "not accept: the lifecycle runs on its default (classic) group protocol; to move only the "
                    + "worker to the consumer protocol set kafka.consumer.group.protocol=consumer instead");
            p.remove(StreamsConfig.GROUP_PROTOCOL_CONFIG);
        }
    }

    /** A consumer group timing: the prefixed value if given, else the bare one, else {@code dflt}. */
    private static void groupTiming(Properties p, String key, String dflt) {
        String prefixed = StreamsConfig.consumerPrefix(key);
        Object bare = p.get(key);
        p.putIfAbsent(prefixed, bare != null ? bare : dflt);
    }

    /**
     * Checks that every topic exists and that inputs and internal topics are co-partitioned (throws
     * {@link IllegalStateException} with the reason otherwise), reads how large a dead letter may be
     * ({@link DeadLetterLimit}), then starts the topology, unless {@link #close} was
     * called before or meanwhile ({@link #kafkaStreams()} then stays null).
     */
    public synchronized void start(Properties kafkaProps) {
        if (streams != null) {
            throw new IllegalStateException("already started");
        }
        if (closeRequested) {
            LOG.info("lifecycle not started: closed before start-up");
            return;
        }
        Properties adminProps = new Properties();
        kafkaProps.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k.toString())) {
                adminProps.put(k, v);
            }
        });
        int deadLetterMaxBytes;
        Topology topology = LifecycleTopology.build(options);
        Properties streamsProps = streamsProperties(options.topics(), options.config(), kafkaProps);
        try (Admin admin = Admin.create(adminProps)) {
            TopicNames names = options.topics().names;
            List<String> others = new ArrayList<>(names.outcomes());
            others.add(names.deadLetter());
            CoPartitioning.check(admin, names.coPartitioned(), others, ADMIN_TIMEOUT);
            if (options.config().abuse().enabled()) {
                GuardTopics.ensure(admin, options.config(), names.coPartitioned().get(0), names.commands(),
                        GuardTopics.Creation.of(kafkaProps), ADMIN_TIMEOUT);
            }
            // Every source topic has the inputs' partition count: inputs, commands and results are checked
            // co-partitioned above, and the number guard's topics are created (or checked) with it. Not described
            // one by one: a guard topic just created may not be visible yet to every broker.
            keyPartitions = CoPartitioning.partitionsOf(admin, names.requested(), ADMIN_TIMEOUT);
            sourcePartitions = sourceTopics(topology).size() * keyPartitions;
            deadLetterMaxBytes = DeadLetterLimit.read(admin, names.deadLetter(), DeadLetterLimit.maxRequestSize(
                    kafkaProps, StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG), ADMIN_TIMEOUT);
            if (StreamsGroupConfigs.onStreamsProtocol(streamsProps)) {
                StreamsGroupConfigs.apply(admin, streamsProps.get(StreamsConfig.APPLICATION_ID_CONFIG).toString(),
                        streamsProps, ADMIN_TIMEOUT);
            }
        }
        if (closeRequested) {
            // A stop (SIGTERM) came while the topics were checked: a topology started now would outlive the close.
            LOG.info("lifecycle not started: closed during start-up");
            return;
        }
        // The error handlers cut dead letters to what the producer and the dead-letter topic take; one limit for all
        // of them, lowered when the broker refuses a dead letter anyway (it outlives replaced stream threads).
        streamsProps.put(DeadLetterLimit.CONFIG, new DeadLetterLimit.Shared(deadLetterMaxBytes));
        KafkaStreams s = new KafkaStreams(topology, streamsProps);
        s.setUncaughtExceptionHandler(LifecycleService::onUncaught);
        s.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.PENDING_ERROR || now == KafkaStreams.State.ERROR) {
                failed.complete(null);
            }
        });
        s.start();
        streams = s;
        LOG.info("lifecycle topology started (application.id={})", options.config().applicationId());
    }

    /**
     * How many partitions the stream threads of all instances must own between them: those of every source topic
     * (inputs, results, the number guard's topics). An operator's alert compares it with the partitions the
     * instances' consumers own: a partition nobody owns shows no consumer lag anywhere. 0 before {@link #start}.
     */
    public int sourcePartitions() {
        return sourcePartitions;
    }

    /**
     * The partition count of every topic keyed by requestId (inputs, commands, results, the stores' changelogs): the
     * verifications of partition {@code p} of one are in partition {@code p} of the others. 0 before {@link #start}.
     */
    public int keyPartitions() {
        return keyPartitions;
    }

    private static List<String> sourceTopics(Topology topology) {
        List<String> topics = new ArrayList<>();
        for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    topics.addAll(source.topicSet());
                }
            }
        }
        return topics.stream().distinct().sorted().toList();
    }

    /**
     * A failed task (registry outage, broker trouble) is retried on a fresh thread rather than stopping the app. A
     * refusal by the broker's ACLs is not: a fresh thread fails the same way, for ever, and between two failures the
     * instance is RUNNING (ready) while it processes nothing (seen on a real broker: a thread replaced every session
     * timeout). It shuts the client down instead: Streams enters ERROR, {@link #failed()} completes, the app exits.
     * So does an outcome whose schema subject is not registered (auto-registration off): a deployment error.
     */
    static StreamThreadExceptionResponse onUncaught(Throwable error) {
        Throwable unregistered = Causes.find(error, SchemaNotFoundException.class);
        if (unregistered != null) {
            // Only an outcome's serialization gets here (an input whose schema the registry lacks is dead-lettered):
            // its subject is not registered and auto-registration is off. A deployment error, the same for ever.
            LOG.error("stream thread failed: an outcome cannot be serialized ({}); stopping the lifecycle, as a new "
                    + "thread would fail the same way: register the bundled schemas (egoi-verify schemas register) "
                    + "or set auto.register.schemas=true", unregistered.getMessage());
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Throwable refusal = Causes.find(error, AuthorizationException.class);
        if (refusal != null) {
            LOG.error("stream thread failed: the broker refused an operation ({}); stopping the lifecycle, as a new "
                    + "thread would be refused too (check the ACLs of its principal: Read on its input topics and its "
                    + "group (application.id), Write on its output topics, its transactional ids)", refusal.toString());
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.warn("stream thread failed, replacing it: {}", error.toString());
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * Completes when Kafka Streams has entered its error state (every stream thread gone for good): it processes
     * nothing more, and only a new instance does.
     */
    public CompletableFuture<Void> failed() {
        return failed;
    }

    /** The running instance (for metrics binding and health), or null before {@link #start}. */
    public KafkaStreams kafkaStreams() {
        return streams;
    }

    /** Never blocks, also while {@link #close} runs. */
    public KafkaStreams.State state() {
        KafkaStreams s = streams;
        return s == null ? KafkaStreams.State.CREATED : s.state();
    }

    public boolean isRunning() {
        KafkaStreams s = streams;
        return s != null && s.state().isRunningOrRebalancing();
    }

    /** Closes the Streams instance, waiting at most {@code timeout}; returns whether it closed in time. */
    public boolean close(Duration timeout) {
        closeRequested = true; // before the lock: a start-up still checking topics then starts nothing
        synchronized (this) {
            if (streams == null) {
                return true;
            }
            // Leave the group so that another instance takes the tasks over at once, not after the session timeout.
            return streams.close(CloseOptions.timeout(timeout)
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
