package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.StatusView;
import io.egoiverify.lifecycle.VerificationState;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Where a verification stands, read from the {@code verifications} store of a running {@link LifecycleService}
 * (Kafka Streams interactive queries). Only an active, fully restored copy answers: Streams refuses active queries
 * while the thread that owns the partition restores or the partition moves, and the answer is then
 * {@link Unavailable}, never a stale or empty read; so is a key whose partition in Streams' metadata is not the one
 * Kafka's default partitioner gives it (Streams' metadata during a rebalance on the streams protocol). A key whose
 * active copy lives on another instance is {@link Elsewhere}: fetching it from there is the caller's job (this
 * module has no HTTP).
 *
 * <p>Thread-safe; cheap enough to call per request (one metadata lookup and one store get).
 */
public final class StatusQuery {
    private static final Serializer<String> KEYS = new StringSerializer();
    private final LifecycleService service;
    private final HostInfo self;

    /** What a lookup found. */
    public sealed interface Answer permits Found, NotFound, Elsewhere, Unavailable {
    }

    /** The verification, from the local active copy of its partition. */
    public record Found(StatusView view) implements Answer {
        public Found {
            Objects.requireNonNull(view, "view");
        }
    }

    /** No verification with this id: never seen, already purged, or only a cancel remembered before its request. */
    public record NotFound() implements Answer {
    }

    /** The active copy of the key's partition is on the instance that advertises {@code host:port}. */
    public record Elsewhere(String host, int port) implements Answer {
    }

    /** No answer now (not running yet, rebalancing, restoring, closing); worth asking again shortly. */
    public record Unavailable(String reason) implements Answer {
    }

    /**
     * @param service the lifecycle of this process
     * @param host    this instance's advertised host: exactly the host of its {@code application.server}
     * @param port    this instance's advertised port: exactly the port of its {@code application.server}
     */
    public StatusQuery(LifecycleService service, String host, int port) {
        this.service = Objects.requireNonNull(service, "service");
        this.self = new HostInfo(Objects.requireNonNull(host, "host"), port);
    }

    public Answer lookup(String requestId) {
        Objects.requireNonNull(requestId, "requestId");
        KafkaStreams streams = service.kafkaStreams();
        if (streams == null) {
            return new Unavailable("not started");
        }
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return new Unavailable(state.name());
        }
        KeyQueryMetadata where;
        try {
            where = streams.queryMetadataForKey(LifecycleTopology.VERIFICATIONS_STORE, requestId, KEYS);
        } catch (IllegalStateException e) {
            // application.server missing, or Streams left RUNNING/REBALANCING since the check above
            return new Unavailable("metadata: " + e.getClass().getSimpleName());
        }
        if (where == null || KeyQueryMetadata.NOT_AVAILABLE.equals(where)
                || HostInfo.unavailable().equals(where.activeHost())) {
            return new Unavailable("rebalancing");
        }
        if (!self.equals(where.activeHost())) {
            return new Elsewhere(where.activeHost().host(), where.activeHost().port());
        }
        int partitions = service.keyPartitions();
        if (partitions > 0
                && where.partition() != Utils.toPositive(Utils.murmur2(KEYS.serialize(null, requestId))) % partitions) {
            // On the streams rebalance protocol (KIP-1071, Kafka 4.3.1) Streams' metadata names a wrong partition
            // while a rebalance is under way (it counts only the partitions assigned so far): the store of that
            // partition answered 404 for verifications that existed (StatusQueryIT). Their producers and the
            // topology use Kafka's default partitioner, so the right partition is known here.
            return new Unavailable("rebalancing");
        }
        try {
            ReadOnlyKeyValueStore<String, VerificationState> store = streams.store(StoreQueryParameters
                    .fromNameAndType(LifecycleTopology.VERIFICATIONS_STORE,
                            QueryableStoreTypes.<String, VerificationState>keyValueStore())
                    .withPartition(where.partition()));
            VerificationState found = store.get(requestId);
            if (found == null) {
                return new NotFound();
            }
            return StatusView.of(found).<Answer>map(Found::new).orElseGet(NotFound::new);
        } catch (InvalidStateStoreException e) {
            // restoring, migrated, or closing: an empty answer here could be wrong, so say "not now"
            return new Unavailable("store: " + e.getClass().getSimpleName());
        }
    }
}
