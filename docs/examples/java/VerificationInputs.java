// Publishes one input event the way a registration service does (docs/CLIENTS.md, "Examples").
// Run: java -cp app/target/egoi-verify.jar docs/examples/java/VerificationInputs.java request <requestId> <phone>
//      ... submit <requestId> <code> | resend <requestId> | cancel <requestId>
// BOOTSTRAP and REGISTRY (environment) default to e2e/local-stack's addresses.
import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

public class VerificationInputs {
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length < 3 && (args[0].equals("request") || args[0].equals("submit"))) {
            System.err.println("usage: request <requestId> <phone> | submit <requestId> <code> | resend <requestId>"
                    + " | cancel <requestId>");
            System.exit(2);
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", env("BOOTSTRAP", "127.0.0.1:19092"));
        p.put("schema.registry.url", env("REGISTRY", "http://127.0.0.1:18081/apis/ccompat/v7"));
        p.put("auto.register.schemas", "false");      // the subjects were registered by `egoi-verify schemas register`
        p.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        p.put("value.serializer", "io.egoiverify.schemas.serde.SpecificAvroSerializer");
        p.put("enable.idempotence", "true");          // with acks=all: a retried send is written once
        p.put("acks", "all");
        // no partitioner setting: Kafka's default (murmur2 of the key) keeps one requestId's inputs together

        String requestId = args[1];
        Instant now = Instant.now();
        String topic;
        SpecificRecord value;
        switch (args[0]) {
            case "request" -> {
                topic = "verification.requested";
                value = VerificationRequested.newBuilder().setRequestId(requestId).setPhoneNumber(args[2])
                        .setRequestedAt(now).setMetadata(Map.of("userId", "u-42")).build(); // other fields: defaults
            }
            case "submit" -> {
                topic = "verification.code-submitted";
                value = CodeSubmitted.newBuilder().setRequestId(requestId)
                        .setSubmissionId(UUID.randomUUID().toString()) // new per attempt, same on a retry
                        .setCode(args[2]).setSubmittedAt(now).build();
            }
            case "resend" -> {
                topic = "verification.resend-requested";
                value = VerificationResendRequested.newBuilder().setRequestId(requestId).setReason("user asked")
                        .setRequestedAt(now).build();
            }
            case "cancel" -> {
                topic = "verification.cancel-requested";
                value = VerificationCancelRequested.newBuilder().setRequestId(requestId).setRequestedAt(now).build();
            }
            default -> throw new IllegalArgumentException("request|submit|resend|cancel");
        }
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(p)) {
            RecordMetadata m = producer.send(new ProducerRecord<>(topic, requestId, value)).get(); // key = requestId
            System.out.printf("%s %s -> %s-%d@%d%n", args[0], requestId, m.topic(), m.partition(), m.offset());
        }
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
