package io.egoiverify.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.schemas.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The naive design the benchmark compares against: consumers that, record by record, call E-goi synchronously and
 * publish the outcome (no state store, no de-duplication, no expiry, no transactions, no attempt counting). One thread
 * per "instance", as many instances as the product runs workers; same broker, registry, sandbox and serdes, topics with
 * the prefix {@code naive.}.
 */
final class NaiveBaseline implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Topics topics;
    private final String bootstrap;
    private final String egoiBaseUrl;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Our requestId → E-goi requestId: the naive design keeps it in memory (lost on restart). */
    private final Map<String, String> providerIds = new ConcurrentHashMap<>();

    NaiveBaseline(String bootstrap, Topics topics, String egoiBaseUrl, int instances) {
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.egoiBaseUrl = egoiBaseUrl;
        for (int i = 0; i < instances; i++) {
            Thread t = new Thread(this::loop, "naive-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void loop() {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "naive-baseline");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                     new ByteArraySerializer())) {
            consumer.subscribe(List.of(topics.requested.name(), topics.codeSubmitted.name()));
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        handle(r, producer);
                    } catch (RuntimeException | IOException e) {
                        // naive: log nothing, drop the record
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                consumer.commitSync();
            }
        }
    }

    private void handle(ConsumerRecord<String, byte[]> r, KafkaProducer<String, byte[]> producer)
            throws IOException, InterruptedException {
        if (r.topic().equals(topics.requested.name())) {
            VerificationRequested req = topics.requested.valueSerde().deserializer().deserialize(r.topic(), r.value());
            String number = req.getPhoneNumber().substring(1, 4) + "-" + req.getPhoneNumber().substring(4);
            int ttl = req.getTtlSeconds() == null ? 60 : req.getTtlSeconds();
            long start = System.currentTimeMillis();
            JsonNode answer = post("/sms/2fa/send", Map.of("apikey", "naive-key", "number", number,
                    "senderHash", "naive-sender", "codeType", "numeric", "codeSize", "6", "codeTTL",
                    Integer.toString(ttl), "message", "Your code is {CODE}"));
            String providerId = answer.path("requestId").asText();
            providerIds.put(req.getRequestId(), providerId);
            VerificationSent sent = VerificationSent.newBuilder().setRequestId(req.getRequestId())
                    .setOccurredAt(Instant.now()).setMetadata(req.getMetadata()).setProviderRequestId(providerId)
                    .setPhoneNumberMasked("+351*******" + number.substring(number.length() - 2))
                    .setExpiresAt(Instant.ofEpochMilli(start + ttl * 1000L)).setMaxAttempts(5).build();
            producer.send(new ProducerRecord<>(topics.sent.name(), req.getRequestId(),
                    topics.sent.valueSerde().serializer().serialize(topics.sent.name(), sent)));
        } else {
            CodeSubmitted sub = topics.codeSubmitted.valueSerde().deserializer().deserialize(r.topic(), r.value());
            String providerId = providerIds.get(sub.getRequestId());
            JsonNode answer = post("/sms/2fa/validate", Map.of("apikey", "naive-key", "requestId",
                    providerId == null ? "unknown" : providerId, "code", sub.getCode()));
            if ("Verified".equals(answer.path("status").asText())) {
                VerificationVerified v = VerificationVerified.newBuilder().setRequestId(sub.getRequestId())
                        .setOccurredAt(Instant.now()).setMetadata(Map.of()).setAttemptsUsed(1).build();
                producer.send(new ProducerRecord<>(topics.verified.name(), sub.getRequestId(),
                        topics.verified.valueSerde().serializer().serialize(topics.verified.name(), v)));
            }
        }
    }

    private JsonNode post(String path, Map<String, String> body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(egoiBaseUrl + path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        return JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
