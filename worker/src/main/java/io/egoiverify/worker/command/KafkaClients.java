package io.egoiverify.worker.command;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker's consumer and transactional producer settings. Bytes in and out: (de)serialisation is the worker's. */
final class KafkaClients {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClients.class);
    /** The consumer group protocols a plain consumer accepts. */
    private static final Set<String> VALID_PROTOCOLS = Set.of("classic", "consumer");

    private KafkaClients() {
    }

    static KafkaConsumer<byte[], byte[]> consumer(WorkerConfig c) {
        return new KafkaConsumer<>(consumerProperties(c), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * The consumer's properties: the defaults below, then the operator's overrides (e.g. group.instance.id), then
     * what the worker's guarantees and its own settings fix, which no {@code kafka.*} property changes: its group,
     * manual commits inside its transactions, read_committed, and {@code worker.session-timeout} (a
     * {@code kafka.session.timeout.ms} meant for the lifecycle does not reach the worker).
     */
    static Map<String, Object> consumerProperties(WorkerConfig c) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, c.transactionalId() + "-consumer");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // Pausing every partition (in-flight bound reached) leaves an empty fetch parked at the broker for
        // fetch.max.wait.ms; at the default 500 ms the pipeline ran dry twice a second (measured: 2,000/s cap).
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        // cooperative: a rebalance only revokes (and drains) the partitions that move
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        overrides(c, "consumer.", p);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, c.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // The topics are the platform's (created with the partition count the lifecycle checks): a missing one must
        // not be created here with the broker's default count, which the lifecycle would then refuse.
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        Object protocol = p.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        if (protocol != null && !VALID_PROTOCOLS.contains(protocol.toString().trim().toLowerCase(Locale.ROOT))) {
            // e.g. group.protocol=streams, meant for the lifecycle's Kafka Streams: no consumer accepts it
            LOG.warn("kafka.group.protocol={} is not a consumer's group protocol: the worker uses classic",
                    protocol);
            p.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        } else if (protocol != null && protocol.toString().trim().equalsIgnoreCase("consumer")) {
            // The broker runs the group (KIP-848): timing and assignment are its settings, refused here by the
            // client (group.consumer.session.timeout.ms, group.consumer.heartbeat.interval.ms, the server assignor).
            p.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
            p.remove(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
            p.remove(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
            return p;
        }
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) c.flow().sessionTimeout().toMillis());
        // A dead member is noticed one session after its last heartbeat, and the survivor hears of it at its own next
        // one: the heartbeat is the spread either side of the session timeout (1 s at 6 s, as the lifecycle's).
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, heartbeatIntervalMs(c.flow()));
        return p;
    }

    /** A sixth of the session timeout, at least 500 ms. */
    static int heartbeatIntervalMs(WorkerConfig.Flow flow) {
        return (int) Math.max(500, flow.sessionTimeout().toMillis() / 6);
    }

    static KafkaProducer<byte[], byte[]> producer(WorkerConfig c) {
        return new KafkaProducer<>(producerProperties(c), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * The producer's properties: defaults, the operator's overrides, then what no {@code kafka.*} property changes:
     * the transactional id, idempotence with acks=all, and {@code worker.transaction-timeout}.
     */
    static Map<String, Object> producerProperties(WorkerConfig c) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, c.transactionalId() + "-producer");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // Transactions v2 (Kafka 4 brokers): a result produced while the previous commit's markers are still being
        // written is answered CONCURRENT_TRANSACTIONS and retried after retry.backoff.ms (default 100 ms, doubling);
        // with a commit every 20 ms that happens often and would cost five intervals each time.
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
        overrides(c, "producer.", p);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, c.transactionalId());
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) c.flow().transactionTimeout().toMillis());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    /**
     * An admin client's properties, for the start-up checks: the bootstrap servers and the operator's unprefixed
     * overrides that an admin client knows (security, timeouts).
     */
    static Map<String, Object> adminProperties(WorkerConfig c) {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, c.transactionalId() + "-admin");
        c.kafkaOverrides().forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        return p;
    }

    private static void overrides(WorkerConfig c, String prefix, Map<String, Object> into) {
        c.kafkaOverrides().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                into.put(k.substring(prefix.length()), v);
            } else if (!k.startsWith("consumer.") && !k.startsWith("producer.")) {
                into.put(k, v);
            }
        });
    }
}
