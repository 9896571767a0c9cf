package io.egoiverify.app.dev;

import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.CodeType;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.schemas.topics.Topic;
import io.egoiverify.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes the four input events the way a registration service would: key = requestId, Confluent wire format,
 * Kafka's default partitioner. Each call waits for the broker's acknowledgement.
 */
public final class InputPublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;
    private final Clock clock;

    public InputPublisher(Map<String, Object> kafka, Topics topics, Clock clock) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.clock = Objects.requireNonNull(clock, "clock");
        Map<String, Object> props = new HashMap<>(kafka);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** A request; null optional fields mean "the configured default". */
    public void request(String requestId, String phone, CodeType codeType, Integer codeSize, Integer ttlSeconds,
                        Integer maxAttempts, String profile, Map<String, String> metadata) {
        request(requestId, phone, codeType, codeSize, ttlSeconds, maxAttempts, profile, null, null, metadata);
    }

    /** A request with every optional field, including the SMS text (with {CODE}) and the E-goi group. */
    public void request(String requestId, String phone, CodeType codeType, Integer codeSize, Integer ttlSeconds,
                        Integer maxAttempts, String profile, String message, String group,
                        Map<String, String> metadata) {
        VerificationRequested e = VerificationRequested.newBuilder().setRequestId(requestId).setPhoneNumber(phone)
                .setCodeType(codeType).setCodeSize(codeSize).setTtlSeconds(ttlSeconds).setMaxAttempts(maxAttempts)
                .setSenderProfile(profile).setMessage(message).setGroup(group).setRequestedAt(clock.instant())
                .setMetadata(metadata == null ? Map.of() : metadata).build();
        send(topics.requested, requestId, e);
    }

    /** A submission; returns its submission id. */
    public String submit(String requestId, String code, String submissionId) {
        String id = submissionId == null ? UUID.randomUUID().toString() : submissionId;
        send(topics.codeSubmitted, requestId, CodeSubmitted.newBuilder().setRequestId(requestId).setSubmissionId(id)
                .setCode(code).setSubmittedAt(clock.instant()).build());
        return id;
    }

    public void cancel(String requestId, String reason) {
        send(topics.cancelRequested, requestId, VerificationCancelRequested.newBuilder().setRequestId(requestId)
                .setReason(reason).setRequestedAt(clock.instant()).build());
    }

    /** Asks for a new code for the verification (CONTRACTS: verification.resend-requested). */
    public void resend(String requestId, String reason) {
        send(topics.resendRequested, requestId, VerificationResendRequested.newBuilder().setRequestId(requestId)
                .setReason(reason).setRequestedAt(clock.instant()).build());
    }

    private <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, bytes)).get(Duration.ofSeconds(30).toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing to " + topic.name() + " failed: " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("publishing to " + topic.name() + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
