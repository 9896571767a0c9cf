package io.egoiverify.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaClusterExtensionIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @Test
    void createsTopicsAndCarriesRecordsThroughTheBroker() throws Exception {
        String topic = KafkaClusterExtension.uniqueTopic("harness");
        KAFKA.createTopics(3, topic);

        assertThat(KAFKA.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions())
                .hasSize(3);
        assertThat(KAFKA.bootstrapServers()).startsWith("localhost:").doesNotContain(",");

        try (KafkaProducer<String, String> producer = KAFKA.producer(new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)).get();
            }
        }
        try (KafkaConsumer<String, String> consumer =
                     KAFKA.consumer("harness-group", new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = KafkaClusterExtension.consume(consumer, 10,
                    Duration.ofSeconds(30));
            assertThat(records).extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrder("value-0", "value-1", "value-2", "value-3", "value-4", "value-5",
                            "value-6", "value-7", "value-8", "value-9");
        }
    }

    @Test
    void createTopicsIsIdempotent() {
        String topic = KafkaClusterExtension.uniqueTopic("again");
        KAFKA.createTopics(1, topic);
        KAFKA.createTopics(1, topic);
    }
}
