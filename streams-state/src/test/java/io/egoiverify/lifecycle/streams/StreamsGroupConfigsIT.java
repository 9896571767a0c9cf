package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.streams.StreamsGroupConfigs.Result;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.testing.KafkaClusterExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lifecycle's settings as configs of its streams group ({@link StreamsGroupConfigs}), on a real broker that
 * allows streams groups sessions down to 1 s (Kafka's default minimum is 45 s): set once, left alone when already
 * set, and a refusal (a value outside the broker's limits) reported without touching the other configs. The
 * lifecycle running on that protocol: {@code StatusQueryIT} (app module).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StreamsGroupConfigsIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension().withProductionFeatures()
            .withBrokerProperty("group.streams.min.session.timeout.ms", "1000")
            .withBrokerProperty("group.streams.min.heartbeat.interval.ms", "500");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Topics TOPICS = new Topics(TopicNames.defaults(), new InMemorySchemaRegistry(),
            new AvroSerdeConfig("mock://streams-group-configs", null, true, false));

    @Test
    void theLifecycleSettingsBecomeTheGroupsConfigsOnce() throws Exception {
        Properties p = props("sgc-a", Map.of("group.protocol", "streams"));
        assertThat(StreamsGroupConfigs.onStreamsProtocol(p)).isTrue();
        assertThat(StreamsGroupConfigs.wanted(p)).containsExactly(Map.entry("streams.num.standby.replicas", "1"),
                Map.entry("streams.session.timeout.ms", "6000"), Map.entry("streams.heartbeat.interval.ms", "1000"));

        assertThat(StreamsGroupConfigs.apply(KAFKA.admin(), "sgc-a", p, TIMEOUT)).containsOnly(
                Map.entry("streams.num.standby.replicas", Result.SET),
                Map.entry("streams.session.timeout.ms", Result.SET),
                Map.entry("streams.heartbeat.interval.ms", Result.SET));
        assertThat(groupConfigs("sgc-a")).containsEntry("streams.num.standby.replicas", "1")
                .containsEntry("streams.session.timeout.ms", "6000")
                .containsEntry("streams.heartbeat.interval.ms", "1000");

        // A second instance (or a restart) finds them set and alters nothing.
        assertThat(StreamsGroupConfigs.apply(KAFKA.admin(), "sgc-a", p, TIMEOUT)).containsOnlyKeys(
                StreamsGroupConfigs.wanted(p).keySet()).doesNotContainValue(Result.SET).doesNotContainValue(
                Result.REFUSED);

        // An operator's own heartbeat (bare, as in kafka.heartbeat.interval.ms): only that config changes.
        Properties heartbeat = props("sgc-a", Map.of("group.protocol", "streams", "heartbeat.interval.ms", "750"));
        assertThat(StreamsGroupConfigs.apply(KAFKA.admin(), "sgc-a", heartbeat, TIMEOUT)).containsOnly(
                Map.entry("streams.num.standby.replicas", Result.ALREADY_SET),
                Map.entry("streams.session.timeout.ms", Result.ALREADY_SET),
                Map.entry("streams.heartbeat.interval.ms", Result.SET));

        // The main consumer's own setting beats the consumer-wide and the bare one, as it does on the classic protocol.
        Properties own = props("sgc-a", Map.of("group.protocol", "streams", "session.timeout.ms", "9000",
                "main.consumer.session.timeout.ms", "3000", "heartbeat.interval.ms", "750"));
        assertThat(StreamsGroupConfigs.wanted(own)).containsEntry("streams.session.timeout.ms", "3000");
        assertThat(StreamsGroupConfigs.apply(KAFKA.admin(), "sgc-a", own, TIMEOUT))
                .containsEntry("streams.session.timeout.ms", Result.SET)
                .containsEntry("streams.heartbeat.interval.ms", Result.ALREADY_SET);
        assertThat(groupConfigs("sgc-a")).containsEntry("streams.session.timeout.ms", "3000")
                .containsEntry("streams.heartbeat.interval.ms", "750");
    }

    @Test
    void aRefusedConfigLeavesTheOthersAsTheyWere() throws Exception {
        // 3 standbys: over the broker's group.streams.max.standby.replicas (2); 500 ms: under its minimum session.
        Properties p = props("sgc-b", Map.of("group.protocol", "streams", "num.standby.replicas", "3",
                "session.timeout.ms", "500", "heartbeat.interval.ms", "500"));
        assertThat(StreamsGroupConfigs.apply(KAFKA.admin(), "sgc-b", p, TIMEOUT)).containsOnly(
                Map.entry("streams.num.standby.replicas", Result.REFUSED),
                Map.entry("streams.session.timeout.ms", Result.REFUSED),
                Map.entry("streams.heartbeat.interval.ms", Result.REFUSED));
        assertThat(groupConfigs("sgc-b")).isEmpty();

        // Timings accepted, standby still refused: each stands alone.
        Properties q = props("sgc-b", Map.of("group.protocol", "streams", "num.standby.replicas", "3"));
        assertThat(StreamsGroupConfigs.apply(KAFKA.admin(), "sgc-b", q, TIMEOUT))
                .containsEntry("streams.num.standby.replicas", Result.REFUSED)
                .containsEntry("streams.session.timeout.ms", Result.SET);
        assertThat(groupConfigs("sgc-b")).doesNotContainKey("streams.num.standby.replicas")
                .containsEntry("streams.session.timeout.ms", "6000");

        // A refused heartbeat (under the broker's 500 ms) is the heartbeat's refusal alone: the session is as it was.
        Properties r = props("sgc-b", Map.of("group.protocol", "streams", "num.standby.replicas", "3",
                "heartbeat.interval.ms", "400"));
        assertThat(StreamsGroupConfigs.apply(KAFKA.admin(), "sgc-b", r, TIMEOUT))
                .containsEntry("streams.session.timeout.ms", Result.ALREADY_SET)
                .containsEntry("streams.heartbeat.interval.ms", Result.REFUSED);
        assertThat(groupConfigs("sgc-b")).containsEntry("streams.heartbeat.interval.ms", "1000");
    }

    @Test
    void theClassicProtocolIsNotTheStreamsOne() {
        assertThat(StreamsGroupConfigs.onStreamsProtocol(props("sgc-c", Map.of()))).isFalse();
        assertThat(StreamsGroupConfigs.onStreamsProtocol(props("sgc-c", Map.of("group.protocol", "classic"))))
                .isFalse();
        assertThat(StreamsGroupConfigs.onStreamsProtocol(props("sgc-c", Map.of("group.protocol", " Streams "))))
                .isTrue();
    }

    /** The lifecycle's Streams configuration, standby replicas 1, with {@code kafka} as the operator's settings. */
    private static Properties props(String applicationId, Map<String, String> kafka) {
        Properties k = new Properties();
        k.put("bootstrap.servers", KAFKA.bootstrapServers());
        k.put("application.id", applicationId);
        k.putAll(kafka);
        LifecycleConfig config = LifecycleConfig.defaults().withStandbyReplicas(1);
        return LifecycleService.streamsProperties(TOPICS, config, k);
    }

    /** The group's own configs (not the broker's defaults). */
    private static Map<String, String> groupConfigs(String groupId) throws Exception {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, groupId);
        Map<String, String> own = new HashMap<>();
        for (ConfigEntry e : KAFKA.admin().describeConfigs(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group)
                .entries()) {
            if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG) {
                own.put(e.name(), e.value());
            }
        }
        return own;
    }
}
