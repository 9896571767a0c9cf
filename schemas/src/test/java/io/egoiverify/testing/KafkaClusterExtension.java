package io.egoiverify.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
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
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
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
 * that registered it ({@code @Nested} classes share it). Extra broker settings: {@link #withBrokerProperty}; a
 * second, secured listener (SASL_SSL with SCRAM-SHA-512): {@link #withScramOverTls()}; a cluster formatted with the
 * release's production feature levels (KIP-848 consumer groups, transactions v2): {@link #withProductionFeatures()}.
 *
 * <p>Modules using this test-jar must also declare {@code org.apache.kafka:kafka-test-common-runtime} (test scope):
 * test-jar dependencies are not transitive.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger TOPIC_SEQUENCE = new AtomicInteger();
    /** Every client of this broker: PLAINTEXT, no authentication. */
    private static final String ANONYMOUS = "User:ANONYMOUS";
    /** The SASL_SSL listener of {@link #withScramOverTls()}. */
    private static final ListenerName SECURE = new ListenerName("SECURE");
    /** The only mechanism the secured listener accepts. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    private final Map<String, String> brokerProperties;
    private final boolean scramOverTls;
    private final boolean productionFeatures;
    private KafkaClusterTestKit cluster;
    private Admin admin;
    private String ownerContextId;
    private Path pkiDir;
    private TestPki pki;

    public KafkaClusterExtension() {
        this(defaultBrokerProperties(), false, false);
    }

    private KafkaClusterExtension(Map<String, String> brokerProperties, boolean scramOverTls,
                                  boolean productionFeatures) {
        this.brokerProperties = Map.copyOf(brokerProperties);
        this.scramOverTls = scramOverTls;
        this.productionFeatures = productionFeatures;
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
        return new KafkaClusterExtension(props, scramOverTls, productionFeatures);
    }

    /**
     * A copy of this (not yet started) extension whose cluster is formatted as {@code kafka-storage format} formats a
     * production cluster of this release: every production feature at its default level for the metadata version
     * ({@code group.version=1}: the broker-run consumer groups of KIP-848; {@code transaction.version=2}). Without it
     * the kit formats those features at level 0: transactions v1 and classic groups only, and a consumer with
     * {@code group.protocol=consumer} is refused.
     */
    public KafkaClusterExtension withProductionFeatures() {
        return new KafkaClusterExtension(brokerProperties, scramOverTls, true);
    }

    /** The feature levels of {@link #withProductionFeatures()}; kraft.version is the kit's own to set. */
    static Map<String, Short> productionFeatureLevels(MetadataVersion version) {
        Map<String, Short> levels = new LinkedHashMap<>();
        for (Feature feature : Feature.PRODUCTION_FEATURES) {
            if (feature != Feature.KRAFT_VERSION) {
                levels.put(feature.featureName(), feature.defaultLevel(version));
            }
        }
        return levels;
    }

    /**
     * A copy of this (not yet started) extension whose broker also has a listener as production clusters have one:
     * SASL_SSL on {@code 127.0.0.1}, SCRAM-SHA-512 only, its certificate (for {@code IP:127.0.0.1} only) signed by a
     * CA made for this run ({@link #pki()}). The PLAINTEXT listener of {@link #bootstrapServers()} (and the
     * controller's) stay as they are: the harness's own {@link #admin()} creates topics and users there.
     *
     * <p>Clients of the secured listener: {@link #secureBootstrapServers()}, a user from {@link #addScramUser}, and
     * {@link #secureClientProps}. A client that only knows the secured address only ever reaches the secured
     * listener: the broker answers metadata with the endpoints of the listener asked.
     */
    public KafkaClusterExtension withScramOverTls() {
        return new KafkaClusterExtension(brokerProperties, true, productionFeatures);
    }

    /** The secured listener's settings: {@code listeners} and its protocol map replace the kit's defaults. */
    private static Map<String, String> scramOverTlsProperties(TestKitNodes nodes, TestPki pki) {
        String broker = nodes.brokerListenerName().value();
        String controller = nodes.controllerListenerName().value();
        String secure = SECURE.value();
        Map<String, String> props = new LinkedHashMap<>();
        // the kit binds its two listeners on pre-opened sockets whatever the port here; the third gets one of its own
        props.put("listeners", broker + "://localhost:0," + controller + "://localhost:0," + secure
                + "://127.0.0.1:0");
        props.put("listener.security.protocol.map", broker + ":" + nodes.brokerListenerProtocol().name + ","
                + controller + ":" + nodes.controllerListenerProtocol().name + "," + secure + ":"
                + SecurityProtocol.SASL_SSL.name);
        String prefix = SECURE.configPrefix();
        props.put(prefix + "sasl.enabled.mechanisms", SCRAM_MECHANISM);
        props.put(prefix + SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put(prefix + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, pki.serverP12.toString());
        props.put(prefix + SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        props.put(prefix + SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestPki.PASSWORD);
        props.put(prefix + SslConfigs.SSL_KEY_PASSWORD_CONFIG, TestPki.PASSWORD);
        return props;
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
        MetadataVersion version = MetadataVersion.latestProduction();
        TestKitNodes.Builder nodesBuilder = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1);
        if (productionFeatures) {
            nodesBuilder.setBootstrapMetadata(BootstrapMetadata.fromVersions(version,
                    productionFeatureLevels(version), "production features"));
        } else {
            nodesBuilder.setBootstrapMetadataVersion(version);
        }
        TestKitNodes nodes = nodesBuilder.build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        if (scramOverTls) {
            pkiDir = Files.createTempDirectory("kafka-test-pki");
            pki = TestPki.create(pkiDir);
            scramOverTlsProperties(nodes, pki).forEach(builder::setConfigProp);
        }
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
            try {
                kit.close();
            } finally {
                deletePki();
            }
        }
    }

    private void deletePki() {
        Path dir = pkiDir;
        pkiDir = null;
        pki = null;
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** {@code 127.0.0.1:port} of the SASL_SSL listener; needs {@link #withScramOverTls()}. */
    public String secureBootstrapServers() {
        requireScramOverTls();
        return "127.0.0.1:" + running().brokers().values().iterator().next().boundPort(SECURE);
    }

    /** The CA that signed the secured listener's certificate, with trust stores; needs {@link #withScramOverTls()}. */
    public TestPki pki() {
        requireScramOverTls();
        running();
        return pki;
    }

    /**
     * Creates (or changes the password of) a SCRAM-SHA-512 user through the PLAINTEXT listener, and waits until the
     * secured listener accepts it: a client's failed authentication is not retried.
     */
    public void addScramUser(String user, String password) {
        requireScramOverTls();
        try {
            admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the SCRAM user " + user, e);
        }
        Map<String, Object> props = new HashMap<>(secureClientProps(user, password));
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        Awaitility.await("the secured listener accepting SCRAM user " + user).atMost(READY_TIMEOUT)
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    Admin secured = Admin.create(props);
                    try {
                        return secured.describeCluster().clusterId().get(10, TimeUnit.SECONDS) != null;
                    } finally {
                        secured.close(Duration.ofSeconds(1));
                    }
                });
    }

    /** The JAAS setting a SCRAM client gives as {@code sasl.jaas.config}. */
    public static String scramJaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /**
     * What any client of the secured listener needs: its address, SASL_SSL with SCRAM-SHA-512 as {@code user}, and
     * the run's CA as trust store (PKCS12). Mutable copy.
     */
    public Map<String, Object> secureClientProps(String user, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, secureBootstrapServers());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_SSL.name);
        props.put(SaslConfigs.SASL_MECHANISM, SCRAM_MECHANISM);
        props.put(SaslConfigs.SASL_JAAS_CONFIG, scramJaasConfig(user, password));
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki().truststoreP12.toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestPki.PASSWORD);
        return props;
    }

    private void requireScramOverTls() {
        if (!scramOverTls) {
            throw new IllegalStateException("this broker has no secured listener: register it with "
                    + "withScramOverTls()");
        }
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
