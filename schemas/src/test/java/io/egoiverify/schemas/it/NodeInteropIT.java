package io.egoiverify.schemas.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoiverify.schemas.serde.SpecificAvroDeserializer;
import io.egoiverify.schemas.serde.SpecificAvroSerializer;
import io.egoiverify.schemas.testdata.SampleRecords;
import io.egoiverify.testing.KafkaClusterExtension;
import io.egoiverify.testing.SchemaRegistryExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wire-format interoperability with an independent Confluent-ecosystem client: the Node.js library
 * {@code @kafkajs/confluent-schema-registry} (schemas/src/test/node, installed by {@code npm ci} during the build).
 * <ol>
 *   <li>Every contract record, written by our serializer and fetched back from the broker, is decoded by the Node
 *       client against the same registry into exactly the values we wrote.</li>
 *   <li>The Node client encodes every contract record; the bytes are identical to our serializer's for the same record
 *       and, published through the broker, are read by our deserializer.</li>
 * </ol>
 * Any drift of the framing (magic byte, id width or order) or of the Avro encoding fails one of the two.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeInteropIT {
    static final String NODE_DIR_PROPERTY = "egoi.test.node.dir";

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void nodeClientReadsWhatWeWriteAndWeReadWhatItWrites() throws Exception {
        String dir = System.getProperty(NODE_DIR_PROPERTY);
        boolean installed = dir != null && Files.isDirectory(Paths.get(dir, "node_modules"));
        if (!"true".equals(System.getenv("EGOI_TEST_TOOLS_REQUIRED"))) {
            // The build installs the client only where Node.js 18+ and npm are on the PATH (it warns otherwise).
            assumeTrue(installed, "Node.js 18+ and npm were not on the PATH at build time: interoperability not "
                    + "checked");
        }
        List<Class<? extends SpecificRecord>> types = SampleRecords.ALL_TYPES;
        Map<Class<? extends SpecificRecord>, String> topics = new LinkedHashMap<>();
        types.forEach(t -> topics.put(t, KafkaClusterExtension.uniqueTopic("interop-" + t.getSimpleName())));
        KAFKA.createTopics(1, topics.values().toArray(String[]::new));
        Map<String, Object> serdeProps = Map.of("schema.registry.url", REGISTRY.url());

        // 1. Java writes through the broker.
        List<SpecificRecord> javaRecords = new ArrayList<>();
        try (SpecificAvroSerializer<SpecificRecord> serializer = new SpecificAvroSerializer<>();
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(KAFKA.producerProps(),
                     new StringSerializer(), serializer)) {
            serializer.configure(serdeProps, false);
            for (Class<? extends SpecificRecord> type : types) {
                SpecificRecord record = SampleRecords.of(type, 1);
                javaRecords.add(record);
                producer.send(new ProducerRecord<>(topics.get(type), "k", record)).get();
            }
        }
        Map<String, byte[]> framesByTopic = consumeRaw(topics.values());

        // 2. Node decodes those bytes and encodes other records.
        List<SpecificRecord> nodeRecords = new ArrayList<>();
        Map<String, Object> request = new HashMap<>();
        request.put("registryUrl", REGISTRY.url());
        request.put("decode", types.stream().map(t -> Base64.getEncoder()
                .encodeToString(framesByTopic.get(topics.get(t)))).toList());
        List<Map<String, Object>> encode = new ArrayList<>();
        for (Class<? extends SpecificRecord> type : types) {
            SpecificRecord record = SampleRecords.of(type, 2);
            nodeRecords.add(record);
            encode.add(Map.of("subject", topics.get(type) + "-value", "record", AvscJson.of(record.getSchema(), record)));
        }
        request.put("encode", encode);
        JsonNode response = runNode(request);

        for (int i = 0; i < types.size(); i++) {
            SpecificRecord written = javaRecords.get(i);
            assertThat(response.get("decoded").get(i)).as("Node's reading of our %s", types.get(i).getSimpleName())
                    .isEqualTo(JSON.readTree(JSON.writeValueAsString(AvscJson.of(written.getSchema(), written))));
        }

        // 3. Node's bytes equal ours, and our deserializer reads them from the broker.
        try (SpecificAvroSerializer<SpecificRecord> serializer = new SpecificAvroSerializer<>();
             KafkaProducer<String, byte[]> producer = KAFKA.producer(new StringSerializer(), new ByteArraySerializer())) {
            serializer.configure(serdeProps, false);
            for (int i = 0; i < types.size(); i++) {
                byte[] nodeBytes = Base64.getDecoder().decode(response.get("encoded").get(i).get("base64").asText());
                String topic = topics.get(types.get(i));
                assertThat(nodeBytes).as("Node's encoding of %s", types.get(i).getSimpleName())
                        .isEqualTo(serializer.serialize(topic, nodeRecords.get(i)));
                producer.send(new ProducerRecord<>(topic, "k", nodeBytes)).get();
            }
        }
        Map<String, Object> consumerProps = KAFKA.consumerProps("interop-java");
        consumerProps.putAll(serdeProps);
        try (SpecificAvroDeserializer<SpecificRecord> deserializer = new SpecificAvroDeserializer<>()) {
            deserializer.configure(serdeProps, false);
            try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(consumerProps,
                    new StringDeserializer(), deserializer)) {
                List<TopicPartition> partitions = topics.values().stream().map(t -> new TopicPartition(t, 0)).toList();
                consumer.assign(partitions);
                partitions.forEach(p -> consumer.seek(p, 1)); // offset 0 holds the Java-written record
                Map<String, SpecificRecord> read = new HashMap<>();
                KafkaClusterExtension.consume(consumer, types.size(), WAIT).forEach(r -> read.put(r.topic(), r.value()));
                for (int i = 0; i < types.size(); i++) {
                    assertThat(read.get(topics.get(types.get(i)))).as("our reading of Node's %s",
                            types.get(i).getSimpleName()).isEqualTo(nodeRecords.get(i));
                }
            }
        }
    }

    private Map<String, byte[]> consumeRaw(Iterable<String> topics) {
        Map<String, byte[]> frames = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = KAFKA.consumer("interop-raw", new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            topics.forEach(t -> partitions.add(new TopicPartition(t, 0)));
            consumer.assign(partitions);
            for (ConsumerRecord<String, byte[]> record : KafkaClusterExtension.consume(consumer, partitions.size(),
                    WAIT)) {
                frames.put(record.topic(), record.value());
            }
        }
        assertThat(frames).hasSize(SampleRecords.ALL_TYPES.size());
        return frames;
    }

    private JsonNode runNode(Map<String, Object> request) throws IOException, InterruptedException {
        String dir = System.getProperty(NODE_DIR_PROPERTY);
        if (dir == null || !Files.isDirectory(Paths.get(dir, "node_modules"))) {
            throw new IllegalStateException("system property " + NODE_DIR_PROPERTY + " must name the directory where"
                    + " the build ran 'npm ci' for schemas/src/test/node (Failsafe sets it during mvn verify; with"
                    + " EGOI_TEST_TOOLS_REQUIRED=true Node.js is required); got " + dir);
        }
        Path requestFile = work.resolve("request.json");
        Path responseFile = work.resolve("response.json");
        Path log = work.resolve("node.log");
        JSON.writeValue(requestFile.toFile(), request);
        Process node = new ProcessBuilder("node", Paths.get(dir, "interop.js").toString(), requestFile.toString(),
                responseFile.toString()).directory(Paths.get(dir).toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!node.waitFor(60, TimeUnit.SECONDS)) {
            node.destroyForcibly();
            throw new AssertionError("node interop.js did not finish within 60 s: "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        assertThat(node.exitValue()).as("node interop.js exit code; its output: %s",
                Files.readString(log, StandardCharsets.UTF_8)).isZero();
        return JSON.readTree(responseFile.toFile());
    }

    /** A record as avsc (the Node client's Avro library) represents it in JSON. */
    static final class AvscJson {
        private AvscJson() {
        }

        static Object of(Schema schema, Object value) {
            switch (schema.getType()) {
                case RECORD -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    SpecificRecord record = (SpecificRecord) value;
                    for (Schema.Field field : schema.getFields()) {
                        out.put(field.name(), of(field.schema(), record.get(field.pos())));
                    }
                    return out;
                }
                case UNION -> {
                    if (value == null) {
                        return null;
                    }
                    List<Schema> branches = schema.getTypes().stream()
                            .filter(s -> s.getType() != Schema.Type.NULL).toList();
                    if (branches.size() == 1) {
                        return of(branches.get(0), value); // avsc unwraps ["null", T]
                    }
                    Schema branch = ((SpecificRecord) value).getSchema();
                    return Map.of(branch.getFullName(), of(branch, value));
                }
                case MAP -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    ((Map<?, ?>) value).forEach((k, v) -> out.put(k.toString(), of(schema.getValueType(), v)));
                    return out;
                }
                case ENUM, STRING -> {
                    return value.toString();
                }
                case LONG -> {
                    return value instanceof Instant instant ? instant.toEpochMilli() : value;
                }
                default -> {
                    return value;
                }
            }
        }
    }
}
