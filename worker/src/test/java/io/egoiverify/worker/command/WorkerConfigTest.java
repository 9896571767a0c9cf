package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.schemas.topics.TopicNames;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    @Test
    void defaultsMatchTheDocumentedOnes() {
        WorkerConfig c = WorkerConfig.of("localhost:9092", "worker-0", TopicNames.defaults());
        assertThat(c.groupId()).isEqualTo("egoi-verify-worker");
        assertThat(c.flow().maxInFlight()).isEqualTo(1000);
        assertThat(c.flow().commitInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.flow().sessionTimeout()).isEqualTo(Duration.ofSeconds(6));
        assertThat(c.flow().transactionTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.retries().retryUnknownSendOutcome()).isFalse();
    }

    @Test
    void aDeadWorkersTransactionIsAbortedBeforeItsPartitionsMove() {
        // The coordinator aborts an expired transaction at its next check (every second on a broker set as the docs
        // say); the group notices a dead member one session timeout after its last heartbeat, at the earliest a
        // heartbeat interval after the kill's. An abort after that holds back the survivor's first results for the
        // partitions it has just taken (results are keyed like the commands, so they land on the dead one's).
        WorkerConfig c = WorkerConfig.of("localhost:9092", "worker-0", TopicNames.defaults());
        Map<String, Object> consumer = KafkaClients.consumerProperties(c);
        long abortAtTheLatest = (int) KafkaClients.producerProperties(c).get("transaction.timeout.ms") + 1_000;
        long detectedAtTheEarliest = (int) consumer.get("session.timeout.ms")
                - (int) consumer.get("heartbeat.interval.ms");
        assertThat(abortAtTheLatest).isLessThanOrEqualTo(detectedAtTheEarliest);
        // ...and a transaction, one commit interval long, is far from the timeout
        assertThat(c.flow().transactionTimeout()).isGreaterThan(c.flow().commitInterval().multipliedBy(20));
    }

    @Test
    void refusesWhatCannotWork() {
        assertThatThrownBy(() -> WorkerConfig.of("localhost:9092", " ", TopicNames.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transactionalId");
        assertThatThrownBy(() -> WorkerConfig.Flow.defaults().withMaxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WorkerConfig.Flow(10, OffsetMetadataCodec.MAX_SPAN + 1, Duration.ofMillis(100),
                10, Duration.ofMillis(10), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(1))).hasMessageContaining("maxOffsetSpan");
    }

    @Test
    void staticMembershipReachesTheConsumer() {
        WorkerConfig c = WorkerConfig.of("localhost:9092", "worker-0", TopicNames.defaults())
                .withKafkaOverrides(java.util.Map.of("group.instance.id", "worker-pod-0"));
        assertThat(KafkaClients.consumerProperties(c)).containsEntry("group.instance.id", "worker-pod-0")
                .containsEntry("session.timeout.ms", 6_000).containsEntry("heartbeat.interval.ms", 1_000);
    }

    @Test
    void noKafkaPropertyLoosensTheWorkersGuaranteesOrReplacesItsOwnSettings() {
        WorkerConfig c = WorkerConfig.of("localhost:9092", "worker-0", TopicNames.defaults()).withKafkaOverrides(Map.of(
                "isolation.level", "read_uncommitted", "enable.auto.commit", "true", "group.id", "other",
                "session.timeout.ms", "3000", "consumer.heartbeat.interval.ms", "100",
                "acks", "1", "producer.enable.idempotence", "false", "transactional.id", "stolen",
                "transaction.timeout.ms", "60000", "max.poll.records", "100"));

        assertThat(KafkaClients.consumerProperties(c)).containsEntry("isolation.level", "read_committed")
                .containsEntry("enable.auto.commit", false).containsEntry("group.id", c.groupId())
                .containsEntry("session.timeout.ms", 6_000).containsEntry("heartbeat.interval.ms", 1_000)
                .as("other properties still pass").containsEntry("max.poll.records", "100");
        assertThat(KafkaClients.producerProperties(c)).containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true).containsEntry("transactional.id", "worker-0")
                .containsEntry("transaction.timeout.ms", 4_000);
    }

    /** KIP-848's protocol: the broker runs the group, and the client refuses the classic timing and assignor. */
    @Test
    void theConsumerGroupProtocolGetsNoClassicSettingsTheClientWouldRefuse() {
        WorkerConfig c = WorkerConfig.of("localhost:9092", "worker-0", TopicNames.defaults()).withKafkaOverrides(Map.of(
                "group.protocol", "consumer", "session.timeout.ms", "3000"));
        Map<String, Object> p = KafkaClients.consumerProperties(c);
        assertThat(p).containsEntry("group.protocol", "consumer").containsEntry("isolation.level", "read_committed")
                .doesNotContainKeys("session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy");
        // the client's own check (it threw "… cannot be set when group.protocol=CONSUMER" before)
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()).close();
    }

    @Test
    void aGroupProtocolNoConsumerAcceptsIsLeftOutNotFatal() {
        WorkerConfig c = WorkerConfig.of("localhost:9092", "worker-0", TopicNames.defaults()).withKafkaOverrides(Map.of(
                "group.protocol", "streams"));
        Map<String, Object> p = KafkaClients.consumerProperties(c);
        assertThat(p).doesNotContainKey("group.protocol").containsEntry("session.timeout.ms", 6_000);
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()).close();
    }

    @Test
    void theWorkerNeverCreatesATopic() {
        WorkerConfig c = WorkerConfig.of("localhost:9092", "worker-0", TopicNames.defaults()).withKafkaOverrides(Map.of(
                "allow.auto.create.topics", "true"));
        assertThat(KafkaClients.consumerProperties(c)).containsEntry("allow.auto.create.topics", false);
    }
}
