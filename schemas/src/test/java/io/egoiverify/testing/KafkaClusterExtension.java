package io.egoiverify.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real single-node KRaft Kafka broker (combined broker + controller, ephemeral loopback ports) running inside the
 * test JVM, one per test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();
 *
 * @Test void roundTrip() {
 *     KAFKA.createTopics(3, "in", "out");
 *     try (var producer = KAFKA.producer(new StringSerializer(), new StringSerializer())) { ... }
 * }
 * }</pre>
 *
 * <p>Also usable as {@code @ExtendWith(KafkaClusterExtension.class)}; test methods and constructors then receive the
 * instance as a parameter. The broker starts in {@code beforeAll} (2-3 s) and stops in {@code afterAll} of the class
 * that registered it ({@code @Nested} classes share it). Extra broker settings: {@link #withBrokerProperty}.
 *
 * <p>Modules using this test-jar must also declare {@code org.apache.kafka:kafka-test-common-runtime} (test scope):
 * test-jar dependencies are not transitive.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger TOPIC_SEQUENCE = new AtomicInteger();
    /** Every client of this broker: PLAINTEXT, no authentication. */
    private static final String ANONYMOUS = "User:ANONYMOUS";

    private final Map<String, String> brokerProperties;
    private KafkaClusterTestKit cluster;
    private Admin admin;
    private String ownerContextId;

    public KafkaClusterExtension() {
        this(defaultBrokerProperties());
    }

    private KafkaClusterExtension(Map<String, String> brokerProperties) {
        this.brokerProperties = Map.copyOf(brokerProperties);
    }

    /** The settings a single broker needs (internal topics with replication factor 1) and a fast first rebalance. */
    public static Map<String, String> defaultBrokerProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("min.insync.replicas", "1");
        return props;
    }

    /** A copy of this (not yet started) extension with one more broker property. */
    public KafkaClusterExtension withBrokerProperty(String name, String value) {
        Map<String, String> props = new HashMap<>(brokerProperties);
        props.put(name, value);
        return new KafkaClusterExtension(props);
    }

    /**
     * A copy of this (not yet started) extension whose broker checks ACLs ({@code StandardAuthorizer}) and allows
     * whatever no ACL names: every client (and the broker itself) connects over PLAINTEXT as {@code User:ANONYMOUS},
     * so everything works as before until a test {@linkplain #deny denies} one operation on one resource.
     */
    public KafkaClusterExtension withAuthorizer() {
        return withBrokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .withBrokerProperty("allow.everyone.if.no.acl.found", "true");
    }

    /**
     * Denies {@code operation} on one resource (a topic or a group, literal name) to every client, and only that, and
     * waits until the broker enforces it (its authorizer lists the ACLs). Needs {@link #withAuthorizer()}.
     *
     * <p>Once a resource has an ACL, {@code allow.everyone.if.no.acl.found} no longer applies to it: a lone DENY would
     * refuse every operation on it (even Describe). So this also allows ALL on it; a DENY beats an ALLOW.
     */
    public void deny(ResourceType type, String name, AclOperation operation) {
        ResourcePattern resource = new ResourcePattern(type, name, PatternType.LITERAL);
        List<AclBinding> bindings = List.of(
                new AclBinding(resource, new AccessControlEntry(ANONYMOUS, "*", AclOperation.ALL,
                        AclPermissionType.ALLOW)),
                new AclBinding(resource, new AccessControlEntry(ANONYMOUS, "*", operation, AclPermissionType.DENY)));
        try {
            admin().createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the ACLs " + bindings, e);
        }
        // the controller has committed them; the broker applies them from the metadata log a moment later
        Awaitility.await("broker enforcing " + bindings).atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> admin.describeAcls(new AclBindingFilter(resource.toFilter(),
                        AccessControlEntryFilter.ANY)).values().get(10, TimeUnit.SECONDS).containsAll(bindings));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            return; // a @Nested class of the owner: share the running broker
        }
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        brokerProperties.forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception | Error e) {
            kit.close();
            throw e;
        }
        cluster = kit;
        admin = Admin.create(Map.of("bootstrap.servers", kit.bootstrapServers()));
        ownerContextId = context.getUniqueId();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster == null || !context.getUniqueId().equals(ownerContextId)) {
            return;
        }
        KafkaClusterTestKit kit = cluster;
        cluster = null; // the kit must not be closed twice
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            admin = null;
            kit.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaClusterExtension.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return this;
    }

    /** {@code host:port} of the running broker. */
    public String bootstrapServers() {
        return running().bootstrapServers();
    }

    /** A shared admin client; do not close it. */
    public Admin admin() {
        running();
        return admin;
    }

    /** The underlying test kit, for fault injection (stopping brokers etc.). */
    public KafkaClusterTestKit cluster() {
        return running();
    }

    /** A topic name not used before in this JVM, for tests that share the broker. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + TOPIC_SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Creates the topics (replication factor 1) and waits until each has a leader. Topics that already exist are left
     * as they are.
     */
    public void createTopics(int partitions, String... names) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, partitions, (short) 1));
        }
        try {
            admin().createTopics(topics).values().values().forEach(future -> {
                try {
                    future.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topics " + Arrays.toString(names), e.getCause());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("cannot create topics " + Arrays.toString(names), e);
                }
            });
        } finally {
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
        Awaitility.await("leaders of " + Arrays.toString(names)).atMost(READY_TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .until(() -> allHaveLeaders(names));
    }

    private boolean allHaveLeaders(String... names) throws Exception {
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(Arrays.asList(names)).allTopicNames().get(10, TimeUnit.SECONDS);
        return descriptions.values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    }

    /** Producer settings for this broker: acks=all, idempotent, no batching delay. Mutable copy. */
    public Map<String, Object> producerProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    /** Consumer settings for this broker: reads from the earliest offset, commits explicitly. Mutable copy. */
    public Map<String, Object> consumerProps(String groupId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    public <K, V> KafkaProducer<K, V> producer(Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        return new KafkaProducer<>(producerProps(), keySerializer, valueSerializer);
    }

    public <K, V> KafkaConsumer<K, V> consumer(String groupId, Deserializer<K> keyDeserializer,
                                               Deserializer<V> valueDeserializer) {
        return new KafkaConsumer<>(consumerProps(groupId), keyDeserializer, valueDeserializer);
    }

    /**
     * Polls {@code consumer} (already subscribed or assigned) until it has returned {@code count} records or
     * {@code timeout} passed; returns what it got, in order of arrival. Callers assert on the size.
     */
    public static <K, V> List<ConsumerRecord<K, V>> consume(Consumer<K, V> consumer, int count, Duration timeout) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (records.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
        return records;
    }

    private KafkaClusterTestKit running() {
        if (cluster == null) {
            throw new IllegalStateException("the Kafka cluster is not running: register KafkaClusterExtension as a"
                    + " static @RegisterExtension field or with @ExtendWith, and use it from tests, not constructors"
                    + " of a static context");
        }
        return cluster;
    }
}
