// Reads the seven outcome topics as a downstream service does (docs/CLIENTS.md, "Examples").
// Run: java -cp app/target/egoi-verify.jar docs/examples/java/VerificationOutcomes.java [requestId [seconds]]
// Prints every outcome; with a requestId, stops at that verification's terminal outcome (exit 0) or after
// `seconds` (default 60; exit 1). BOOTSTRAP and REGISTRY (environment) default to e2e/local-stack's addresses.
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationVerified;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

public class VerificationOutcomes {
    static final List<String> TOPICS = List.of("verification.sent", "verification.resend-rejected",
            "verification.code-rejected", "verification.verified", "verification.expired",
            "verification.cancelled", "verification.failed");

    public static void main(String[] args) {
        String watched = args.length > 0 && !args[0].isEmpty() ? args[0] : null;
        Instant until = Instant.now().plusSeconds(args.length > 1 ? Long.parseLong(args[1]) : 60);
        Properties p = new Properties();
        p.put("bootstrap.servers", env("BOOTSTRAP", "127.0.0.1:19092"));
        p.put("schema.registry.url", env("REGISTRY", "http://127.0.0.1:18081/apis/ccompat/v7"));
        p.put("group.id", "example-outcomes-" + UUID.randomUUID()); // a real service: one fixed group id
        p.put("isolation.level", "read_committed");  // outcomes are written in transactions
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        // no specific.avro.value.type: each record becomes the class its writer schema names
        p.put("value.deserializer", "io.egoiverify.schemas.serde.SpecificAvroDeserializer");
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(TOPICS);
            while (Instant.now().isBefore(until)) {
                for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(Duration.ofMillis(500))) {
                    SpecificRecord o = r.value();
                    System.out.printf("%s key=%s %s%n", r.topic(), r.key(), o);
                    boolean terminal = o instanceof VerificationVerified || o instanceof VerificationExpired
                            || o instanceof VerificationCancelled || o instanceof VerificationFailed;
                    if (terminal && r.key().equals(watched)) {
                        consumer.commitSync();
                        return;
                    }
                }
                consumer.commitSync(); // after handling: at-least-once, so handle outcomes idempotently
            }
        }
        if (watched != null) {
            System.err.println("no terminal outcome for " + watched + " in time");
            System.exit(1);
        }
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
