package io.egoiverify.lifecycle.streams;

import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.Lifecycle;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.NumberGuard;
import io.egoiverify.schemas.topics.Topic;
import io.egoiverify.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The lifecycle topology: the four input topics and the worker's results feed one processor that owns the
 * {@code verifications} and {@code deadlines} stores and writes the seven outcome topics and the command topic. With
 * per-number limits, the number guard's sub-topology reads the permit topic and writes the verdict topic (read by
 * the lifecycle processor) and the command topic (the sends and resends it grants).
 */
public final class LifecycleTopology {
    public static final String VERIFICATIONS_STORE = "verifications";
    public static final String DEADLINES_STORE = "deadlines";
    static final String PROCESSOR = "lifecycle";
    static final String SENT_SINK = "sent-sink";
    static final String RESEND_REJECTED_SINK = "resend-rejected-sink";
    static final String CODE_REJECTED_SINK = "code-rejected-sink";
    static final String VERIFIED_SINK = "verified-sink";
    static final String EXPIRED_SINK = "expired-sink";
    static final String CANCELLED_SINK = "cancelled-sink";
    static final String FAILED_SINK = "failed-sink";
    static final String COMMANDS_SINK = "commands-sink";
    public static final String NUMBERS_STORE = "numbers";
    public static final String NUMBER_DEADLINES_STORE = "number-deadlines";
    static final String PERMITS_SINK = "permits-sink";
    static final String GUARD = "number-guard";
    static final String VERDICTS_SINK = "verdicts-sink";
    static final String GUARD_COMMANDS_SINK = "guard-commands-sink";
    /** Every source's timestamp extractor: a record with a negative timestamp is processed, never fatal. */
    private static final InputTimestamps TIMESTAMPS = new InputTimestamps();

    private LifecycleTopology() {
    }

    /** The topology these options describe. */
    public static Topology build(LifecycleOptions options) {
        Topics topics = options.topics();
        LifecycleConfig config = options.config();
        boolean persistent = options.persistentStores();
        LifecycleMetrics metrics = options.lifecycleMetrics();
        Lifecycle lifecycle = new Lifecycle(config);
        Topology topology = new Topology();
        source(topology, "requested-source", topics.requested);
        source(topology, "code-submitted-source", topics.codeSubmitted);
        source(topology, "cancel-requested-source", topics.cancelRequested);
        source(topology, "resend-requested-source", topics.resendRequested);
        source(topology, "results-source", topics.results);
        boolean guarded = config.abuse().enabled();
        if (guarded) {
            source(topology, "verdicts-source", Serdes.String().deserializer(), GuardSerdes.verdicts().deserializer(),
                    verdictTopic(config));
        }
        List<String> parents = new ArrayList<>(List.of("requested-source", "code-submitted-source",
                "cancel-requested-source", "resend-requested-source", "results-source"));
        if (guarded) {
            parents.add("verdicts-source");
        }
        topology.addProcessor(PROCESSOR, () -> new LifecycleProcessor(lifecycle, metrics),
                parents.toArray(String[]::new));
        topology.addStateStore(Stores.keyValueStoreBuilder(store(VERIFICATIONS_STORE, persistent), Serdes.String(),
                new StateSerde(config::resendPolicy)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(store(DEADLINES_STORE, persistent), Serdes.Bytes(),
                Serdes.ByteArray()), PROCESSOR);
        sink(topology, SENT_SINK, topics.sent);
        sink(topology, RESEND_REJECTED_SINK, topics.resendRejected);
        sink(topology, CODE_REJECTED_SINK, topics.codeRejected);
        sink(topology, VERIFIED_SINK, topics.verified);
        sink(topology, EXPIRED_SINK, topics.expired);
        sink(topology, CANCELLED_SINK, topics.cancelled);
        sink(topology, FAILED_SINK, topics.failed);
        sink(topology, COMMANDS_SINK, topics.commands);
        if (guarded) {
            addGuard(topology, config, persistent, options.abuseMetrics(), topics.commands);
        }
        return topology;
    }

    /** Topic of permit requests and notices, keyed by number hash (created by LifecycleService; co-partitioned). */
    public static String permitTopic(LifecycleConfig config) {
        return config.applicationId() + "-number-permits";
    }

    /** Topic of the guard's verdicts, keyed by requestId (created by LifecycleService; co-partitioned). */
    public static String verdictTopic(LifecycleConfig config) {
        return config.applicationId() + "-permit-verdicts";
    }

    /**
     * The guard writes verdicts and, when a grant issues the command itself, the command topic (present whatever
     * {@code guardIssuesCommands} says, so that switching it needs no topology change).
     */
    private static void addGuard(Topology topology, LifecycleConfig config, boolean persistent,
                                 AbuseMetrics metrics, Topic<String, VerificationCommand> commands) {
        topology.addSink(PERMITS_SINK, permitTopic(config), Serdes.String().serializer(),
                GuardSerdes.notices().serializer(), PROCESSOR);
        source(topology, "permits-source", Serdes.String().deserializer(), GuardSerdes.notices().deserializer(),
                permitTopic(config));
        NumberGuard guard = new NumberGuard(config);
        topology.addProcessor(GUARD, () -> new NumberGuardProcessor(guard, metrics, config.maxDuePerPunctuation(),
                config.punctuationInterval()), "permits-source");
        topology.addStateStore(Stores.keyValueStoreBuilder(store(NUMBERS_STORE, persistent), Serdes.String(),
                GuardSerdes.numberStates()), GUARD);
        topology.addStateStore(Stores.keyValueStoreBuilder(store(NUMBER_DEADLINES_STORE, persistent), Serdes.Bytes(),
                Serdes.ByteArray()), GUARD);
        topology.addSink(VERDICTS_SINK, verdictTopic(config), Serdes.String().serializer(),
                GuardSerdes.verdicts().serializer(), GUARD);
        sink(topology, GUARD_COMMANDS_SINK, commands, GUARD);
    }

    private static KeyValueBytesStoreSupplier store(String name, boolean persistent) {
        return persistent ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
    }

    private static <V> void source(Topology topology, String name, Topic<String, V> topic) {
        source(topology, name, topic.keySerde().deserializer(), topic.valueSerde().deserializer(), topic.name());
    }

    /** A source with {@link InputTimestamps}; no offset reset of its own (the consumer's setting applies). */
    private static <K, V> void source(Topology topology, String name, Deserializer<K> keys, Deserializer<V> values,
                                      String topic) {
        topology.addSource((AutoOffsetReset) null, name, TIMESTAMPS, keys, values, topic);
    }

    private static <V> void sink(Topology topology, String name, Topic<String, V> topic) {
        sink(topology, name, topic, PROCESSOR);
    }

    private static <V> void sink(Topology topology, String name, Topic<String, V> topic, String parent) {
        topology.addSink(name, topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer(), parent);
    }
}
