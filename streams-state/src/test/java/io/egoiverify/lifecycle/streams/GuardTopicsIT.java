package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.testing.KafkaClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lifecycle instances starting together on a cluster where the number guard's topics do not exist yet: each runs the
 * start-up check of {@link LifecycleService} ({@link GuardTopics#ensure}) with its own admin client at the same
 * moment, so one creates the topics and the others meet {@code TopicExistsException} — and must wait for the topics
 * to show in the metadata instead of refusing to start with "topics missing". Many rounds, each with topics no one
 * created before (a fresh application id), on one real broker.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GuardTopicsIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();
    /** Before the fix, 5 rounds in 100 had instances refuse to start. */
    static final int ROUNDS = 60;
    static final int INSTANCES = 6;
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    static ExecutorService threads;
    /** One admin client per instance, as each lifecycle process has its own. */
    static final List<Admin> ADMINS = new ArrayList<>();

    @BeforeAll
    static void clients() {
        threads = Executors.newFixedThreadPool(INSTANCES);
        for (int i = 0; i < INSTANCES; i++) {
            ADMINS.add(Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers())));
        }
    }

    @AfterAll
    static void close() {
        threads.shutdownNow();
        ADMINS.forEach(a -> a.close(Duration.ofSeconds(5)));
    }

    @Test
    void instancesStartingTogetherOnAFreshClusterAllFindTheGuardTopics() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String input = KafkaClusterExtension.uniqueTopic("guard-input");
            KAFKA.createTopics(3, input);
            LifecycleConfig config = LifecycleConfig.defaults()
                    .withApplicationId(KafkaClusterExtension.uniqueTopic("guard-app"));
            CyclicBarrier together = new CyclicBarrier(INSTANCES);
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (Admin admin : ADMINS) {
                started.add(CompletableFuture.runAsync(() -> start(admin, config, input, together), threads));
            }
            for (CompletableFuture<Void> instance : started) {
                try {
                    instance.get(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failures.add("round " + round + ": " + e.getCause().getMessage());
                }
            }
            // the topics exist with the input's partition count (metadata may lag here too: wait for it)
            List<String> guard = List.of(LifecycleTopology.permitTopic(config), LifecycleTopology.verdictTopic(config));
            Awaitility.await("guard topics of round " + round).atMost(TIMEOUT).ignoreExceptions().untilAsserted(() ->
                    assertThat(ADMINS.get(0).describeTopics(guard).allTopicNames().get(5, TimeUnit.SECONDS).values())
                            .hasSize(2).allSatisfy(d -> assertThat(d.partitions()).hasSize(3)));
        }
        assertThat(failures).as("instances that refused to start").isEmpty();
    }

    private static void start(Admin admin, LifecycleConfig config, String input, CyclicBarrier together) {
        try {
            together.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        GuardTopics.ensure(admin, config, input, input, GuardTopics.Creation.BROKER_DEFAULTS, TIMEOUT);
    }

    /**
     * The permit topic carries the number (sealed) in the requests that carry their command: it is created with the
     * command topic's retention when that is shorter than the day both guard topics get otherwise.
     */
    @Test
    void thePermitTopicTakesTheCommandTopicsShorterRetention() throws Exception {
        String input = KafkaClusterExtension.uniqueTopic("guard-input");
        String commands = KafkaClusterExtension.uniqueTopic("guard-commands");
        KAFKA.createTopics(3, input);
        Admin admin = ADMINS.get(0);
        admin.createTopics(List.of(new NewTopic(commands, 3, (short) 1)
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000")))).all().get(30, TimeUnit.SECONDS);
        LifecycleConfig config = LifecycleConfig.defaults()
                .withApplicationId(KafkaClusterExtension.uniqueTopic("guard-app"));
        Awaitility.await("command topic visible").atMost(TIMEOUT).ignoreExceptions().untilAsserted(() ->
                assertThat(GuardTopics.retentionOf(admin, commands, TIMEOUT)).isEqualTo(3_600_000L));
        GuardTopics.ensure(admin, config, input, commands, GuardTopics.Creation.BROKER_DEFAULTS, TIMEOUT);
        Awaitility.await("guard topics' retention").atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
            assertThat(GuardTopics.retentionOf(admin, LifecycleTopology.permitTopic(config), TIMEOUT))
                    .isEqualTo(3_600_000L);
            assertThat(GuardTopics.retentionOf(admin, LifecycleTopology.verdictTopic(config), TIMEOUT))
                    .isEqualTo(GuardTopics.RETENTION_MS);
        });
    }

    /**
     * The settings Kafka Streams gives its internal topics ({@code replication.factor}, {@code topic.*}) reach the
     * guard topics too: one setting covers every topic the application creates (e.g. min.insync.replicas).
     */
    @Test
    void theGuardTopicsTakeTheSettingsKafkaStreamsGivesItsInternalTopics() throws Exception {
        String input = KafkaClusterExtension.uniqueTopic("guard-input");
        KAFKA.createTopics(3, input);
        Admin admin = ADMINS.get(0);
        LifecycleConfig config = LifecycleConfig.defaults()
                .withApplicationId(KafkaClusterExtension.uniqueTopic("guard-app"));
        Properties streams = new Properties();
        streams.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
        streams.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), "1");
        streams.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), "2000000");
        streams.put(StreamsConfig.topicPrefix(TopicConfig.RETENTION_MS_CONFIG), "999999999"); // the guard's own wins
        GuardTopics.ensure(admin, config, input, input, GuardTopics.Creation.of(streams), TIMEOUT);
        for (String topic : List.of(LifecycleTopology.permitTopic(config), LifecycleTopology.verdictTopic(config))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Awaitility.await(topic + " configs").atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
                Config configs = admin.describeConfigs(List.of(resource)).all().get(5, TimeUnit.SECONDS)
                        .get(resource);
                assertThat(configs.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()).isEqualTo("2000000");
                assertThat(configs.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).source())
                        .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
                assertThat(configs.get(TopicConfig.RETENTION_MS_CONFIG).value())
                        .isEqualTo(Long.toString(GuardTopics.RETENTION_MS));
            });
        }
    }
}
