package io.egoiverify.schemas.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.VerificationRequested;
import io.egoiverify.schemas.registry.HttpSchemaRegistryClient;
import io.egoiverify.schemas.registry.RegistryClientConfig;
import io.egoiverify.schemas.registry.RegistryUnavailableException;
import io.egoiverify.schemas.registry.SchemaNotFoundException;
import io.egoiverify.schemas.serde.InvalidWireFormatException;
import io.egoiverify.schemas.serde.SpecificAvroDeserializer;
import io.egoiverify.schemas.serde.SpecificAvroSerializer;
import io.egoiverify.schemas.testdata.SampleRecords;
import io.egoiverify.schemas.testdata.SchemaEdits;
import io.egoiverify.testing.KafkaClusterExtension;
import io.egoiverify.testing.SchemaRegistryExtension;
import io.egoiverify.testing.SchemaRegistryProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Our serde between a real broker and a real registry: every contract record round-trips, both evolution directions
 * work through the registry, and bad records fail with their documented exceptions.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SerdeThroughBrokerIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Producer configured purely by class names and Confluent's property names, as a user would. */
    private KafkaProducer<String, SpecificRecord> producer() {
        Map<String, Object> props = KAFKA.producerProps();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, SpecificAvroSerializer.class.getName());
        props.put("schema.registry.url", REGISTRY.url());
        return new KafkaProducer<>(props);
    }

    private <T> KafkaConsumer<String, T> consumer(String topic, Class<?> type) {
        Map<String, Object> props = KAFKA.consumerProps("g-" + topic);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
        props.put("schema.registry.url", REGISTRY.url());
        if (type != null) {
            props.put("specific.avro.value.type", type.getName());
        }
        KafkaConsumer<String, T> consumer = new KafkaConsumer<>(props);
        consumer.assign(List.of(new TopicPartition(topic, 0))); // no group join: faster, one partition anyway
        return consumer;
    }

    private KafkaConsumer<String, byte[]> rawConsumer(String topic) {
        KafkaConsumer<String, byte[]> consumer = KAFKA.consumer("raw-" + topic, new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        return consumer;
    }

    @Test
    void everyContractRecordRoundTripsThroughBrokerAndRegistry() throws Exception {
        Map<Class<? extends SpecificRecord>, String> topics = new HashMap<>();
        for (Class<? extends SpecificRecord> type : SampleRecords.ALL_TYPES) {
            topics.put(type, KafkaClusterExtension.uniqueTopic("rt-" + type.getSimpleName()));
        }
        KAFKA.createTopics(1, topics.values().toArray(String[]::new));
        Map<Class<? extends SpecificRecord>, List<SpecificRecord>> sent = new HashMap<>();
        try (KafkaProducer<String, SpecificRecord> producer = producer()) {
            for (Class<? extends SpecificRecord> type : SampleRecords.ALL_TYPES) {
                List<SpecificRecord> records = List.of(SampleRecords.of(type, 0), SampleRecords.of(type, 1));
                for (SpecificRecord record : records) {
                    producer.send(new ProducerRecord<>(topics.get(type), "key", record)).get();
                }
                sent.put(type, records);
            }
        }
        // One consumer over all topics; with no configured type the class is chosen by the writer schema's name.
        Map<String, Object> props = KAFKA.consumerProps("rt-all");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
        props.put("schema.registry.url", REGISTRY.url());
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(topics.values().stream().map(t -> new TopicPartition(t, 0)).toList());
            Map<String, List<SpecificRecord>> received = new HashMap<>();
            KafkaClusterExtension.consume(consumer, 2 * topics.size(), WAIT).forEach(r ->
                    received.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(r.value()));
            for (Class<? extends SpecificRecord> type : SampleRecords.ALL_TYPES) {
                assertThat(received.get(topics.get(type))).as(type.getSimpleName())
                        .containsExactlyElementsOf(sent.get(type));
            }
        }
    }

    @Test
    void oldWriterNewReader() throws Exception {
        String topic = KafkaClusterExtension.uniqueTopic("old-writer");
        KAFKA.createTopics(1, topic);
        RegistryAdmin.setCompatibility(REGISTRY.url(), topic + "-value", "FULL_TRANSITIVE");
        VerificationRequested v1Record = SampleRecords.of(VerificationRequested.class, 4);
        try (KafkaProducer<String, SpecificRecord> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "k", v1Record)).get();
        }
        Schema v2 = SchemaEdits.withOptionalField(VerificationRequested.getClassSchema(), "locale");
        byte[] frame;
        try (KafkaConsumer<String, byte[]> consumer = rawConsumer(topic)) {
            frame = KafkaClusterExtension.consume(consumer, 1, WAIT).get(0).value();
        }
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientConfig.of(REGISTRY.url()))) {
            registry.register(topic + "-value", v2); // the new version is accepted under FULL_TRANSITIVE
            GenericRecord read = ConfluentFrames.read(frame, registry.byId(ConfluentFrames.schemaId(frame)), v2);
            assertThat(read.get("locale")).isNull();
            assertThat(read.get("requestId").toString()).isEqualTo(v1Record.getRequestId());
            assertThat(read.get("requestedAt")).isEqualTo(v1Record.getRequestedAt().toEpochMilli());
        }
    }

    @Test
    void newWriterOldReader() throws Exception {
        String topic = KafkaClusterExtension.uniqueTopic("new-writer");
        KAFKA.createTopics(1, topic);
        RegistryAdmin.setCompatibility(REGISTRY.url(), topic + "-value", "FULL_TRANSITIVE");
        Schema v1 = VerificationRequested.getClassSchema();
        Schema v2 = SchemaEdits.withOptionalField(v1, "locale");
        GenericData.Record v2Record = (GenericData.Record) SampleRecords.value(v2, 5, "VerificationRequested");
        v2Record.put("locale", "pt-PT");
        try (HttpSchemaRegistryClient registry = new HttpSchemaRegistryClient(RegistryClientConfig.of(REGISTRY.url()));
             KafkaProducer<String, byte[]> producer = KAFKA.producer(new StringSerializer(), new ByteArraySerializer())) {
            registry.register(topic + "-value", v1);
            int v2Id = registry.register(topic + "-value", v2);
            producer.send(new ProducerRecord<>(topic, "k", ConfluentFrames.frame(v2Id, v2, v2Record))).get();
        }
        try (KafkaConsumer<String, VerificationRequested> consumer = consumer(topic, VerificationRequested.class)) {
            VerificationRequested read = KafkaClusterExtension.consume(consumer, 1, WAIT).get(0).value();
            assertThat(read.getRequestId()).isEqualTo(v2Record.get("requestId"));
            assertThat(read.getRequestedAt().toEpochMilli()).isEqualTo(v2Record.get("requestedAt"));
            assertThat(read.getSchema()).isEqualTo(v1);
        }
    }

    @Test
    void badRecordsFromTheBrokerGiveTheirDocumentedExceptions() throws Exception {
        String topic = KafkaClusterExtension.uniqueTopic("bad");
        KAFKA.createTopics(1, topic);
        byte[] valid;
        try (SpecificAvroSerializer<VerificationRequested> serializer = new SpecificAvroSerializer<>()) {
            serializer.configure(Map.of("schema.registry.url", REGISTRY.url()), false);
            valid = serializer.serialize(topic, SampleRecords.of(VerificationRequested.class, 6));
        }
        byte[] wrongMagic = valid.clone();
        wrongMagic[0] = 7;
        byte[] unknownId = valid.clone();
        unknownId[1] = 0x7f;
        List<byte[]> bad = List.of("plain text, not Avro".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                wrongMagic, unknownId, Arrays.copyOf(valid, valid.length - 3));
        try (KafkaProducer<String, byte[]> producer = KAFKA.producer(new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] value : bad) {
                producer.send(new ProducerRecord<>(topic, "k", value)).get();
            }
        }
        List<byte[]> fromBroker = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = rawConsumer(topic)) {
            KafkaClusterExtension.consume(consumer, bad.size(), WAIT).forEach(r -> fromBroker.add(r.value()));
        }
        assertThat(fromBroker).hasSize(4);
        try (SpecificAvroDeserializer<VerificationRequested> deserializer = new SpecificAvroDeserializer<>()) {
            deserializer.configure(Map.of("schema.registry.url", REGISTRY.url(),
                    "specific.avro.value.type", VerificationRequested.class.getName()), false);
            assertThatThrownBy(() -> deserializer.deserialize(topic, fromBroker.get(0)))
                    .isExactlyInstanceOf(InvalidWireFormatException.class).hasMessageContaining("magic byte is 0x70");
            assertThatThrownBy(() -> deserializer.deserialize(topic, fromBroker.get(1)))
                    .isExactlyInstanceOf(InvalidWireFormatException.class).hasMessageContaining("magic byte is 0x07");
            assertThatThrownBy(() -> deserializer.deserialize(topic, fromBroker.get(2)))
                    .isExactlyInstanceOf(SchemaNotFoundException.class).hasMessageContaining("schema id "
                            + ConfluentFrames.schemaId(unknownId));
            assertThatThrownBy(() -> deserializer.deserialize(topic, fromBroker.get(3)))
                    .isExactlyInstanceOf(InvalidWireFormatException.class).hasMessageContaining("EOFException");
        }
        // In a plain consumer the same errors surface as Kafka's RecordDeserializationException, with ours as cause.
        try (KafkaConsumer<String, VerificationRequested> consumer = consumer(topic, VerificationRequested.class)) {
            assertThatThrownBy(() -> KafkaClusterExtension.consume(consumer, 1, WAIT))
                    .isInstanceOf(RecordDeserializationException.class)
                    .hasCauseInstanceOf(InvalidWireFormatException.class);
        }
    }

    @Test
    void aRegistryThatIsDownIsUnavailableNotABadRecord() {
        String topic = KafkaClusterExtension.uniqueTopic("down");
        byte[] valid;
        SchemaRegistryProcess second = SchemaRegistryProcess.start();
        String url = second.ccompatUrl();
        try (SpecificAvroSerializer<VerificationRequested> serializer = new SpecificAvroSerializer<>()) {
            serializer.configure(Map.of("schema.registry.url", url), false);
            valid = serializer.serialize(topic, SampleRecords.of(VerificationRequested.class, 7));
        } finally {
            second.close();
        }
        try (SpecificAvroDeserializer<VerificationRequested> deserializer = new SpecificAvroDeserializer<>()) {
            deserializer.configure(Map.of("schema.registry.url", url, "http.connect.timeout.ms", "1000",
                    "specific.avro.value.type", VerificationRequested.class.getName()), false);
            assertThatThrownBy(() -> deserializer.deserialize(topic, valid))
                    .isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining("cannot be reached").hasMessageContaining("schema id");
        }
    }
}
