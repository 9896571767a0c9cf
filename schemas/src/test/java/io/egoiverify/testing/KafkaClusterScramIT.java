package io.egoiverify.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The harness's secured listener: SASL_SSL with SCRAM-SHA-512 on 127.0.0.1, its certificate checked against the run's
 * CA (host name verification on), a wrong password refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaClusterScramIT {
    private static final String USER = "harness-user";
    private static final String PASSWORD = "harness-scram-pass";

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension().withScramOverTls();

    @BeforeAll
    static void user() {
        KAFKA.addScramUser(USER, PASSWORD);
    }

    private static Map<String, Object> quick(Map<String, Object> props) {
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        return props;
    }

    @Test
    void carriesRecordsOverTheSecuredListenerOnly() throws Exception {
        String topic = KafkaClusterExtension.uniqueTopic("secured");
        KAFKA.createTopics(1, topic);
        assertThat(KAFKA.secureBootstrapServers()).startsWith("127.0.0.1:")
                .isNotEqualTo(KAFKA.bootstrapServers());

        Map<String, Object> producerProps = KAFKA.secureClientProps(USER, PASSWORD);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "over SASL_SSL")).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> consumerProps = KAFKA.secureClientProps(USER, PASSWORD);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "secured-group");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = KafkaClusterExtension.consume(consumer, 1,
                    Duration.ofSeconds(30));
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("over SASL_SSL");
        }
        // the broker answers with the endpoints of the listener asked: the client never learns the PLAINTEXT one
        try (Admin admin = Admin.create(quick(KAFKA.secureClientProps(USER, PASSWORD)))) {
            assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                    .allSatisfy(node -> assertThat(node.host() + ":" + node.port())
                            .isEqualTo(KAFKA.secureBootstrapServers()));
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        try (Admin admin = Admin.create(quick(KAFKA.secureClientProps(USER, "not-" + PASSWORD)))) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void aClientThatDoesNotTrustTheRunsCaIsRefusedTheHandshake() {
        Map<String, Object> props = quick(KAFKA.secureClientProps(USER, PASSWORD));
        props.remove(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG);
        props.remove(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG);
        props.remove(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SslAuthenticationException.class);
        }
    }

    @Test
    void theCertificateNamesOnly127001HostNameVerificationRefusesLocalhost() {
        Map<String, Object> props = quick(KAFKA.secureClientProps(USER, PASSWORD));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.secureBootstrapServers().replace("127.0.0.1", "localhost"));
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SslAuthenticationException.class)
                    .hasStackTraceContaining("No name matching localhost found");
        }
    }
}
