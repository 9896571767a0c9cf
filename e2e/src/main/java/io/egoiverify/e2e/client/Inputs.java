package io.egoiverify.e2e.client;

import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.schemas.topics.Topic;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
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
 * Plays a registration service: publishes requests, submissions, cancels and resends in the Confluent wire format,
 * and raw bytes for poison-record tests. Idempotent, acks=all, and patient (a broker restart must not lose an input).
 */
public final class Inputs implements AutoCloseable {
    private final Topics topics;
    private final KafkaProducer<String, byte[]> producer;

    public Inputs(String bootstrap, Topics topics) {
        this.topics = topics;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public static VerificationRequested.Builder request(String requestId, String phone) {
        return VerificationRequested.newBuilder().setRequestId(requestId).setPhoneNumber(phone)
                .setRequestedAt(Instant.now()).setMetadata(Map.of("e2e", requestId));
    }

    public static CodeSubmitted submission(String requestId, String submissionId, String code) {
        return CodeSubmitted.newBuilder().setRequestId(requestId).setSubmissionId(submissionId).setCode(code)
                .setSubmittedAt(Instant.now()).build();
    }

    public static VerificationCancelRequested cancel(String requestId, String reason) {
        return VerificationCancelRequested.newBuilder().setRequestId(requestId).setReason(reason)
                .setRequestedAt(Instant.now()).build();
    }

    public static VerificationResendRequested resend(String requestId, String reason) {
        return VerificationResendRequested.newBuilder().setRequestId(requestId).setReason(reason)
                .setRequestedAt(Instant.now()).build();
    }

    public void send(VerificationRequested request) {
        send(topics.requested, request.getRequestId(), request);
    }

    public void send(CodeSubmitted submission) {
        send(topics.codeSubmitted, submission.getRequestId(), submission);
    }

    public void send(VerificationCancelRequested cancel) {
        send(topics.cancelRequested, cancel.getRequestId(), cancel);
    }

    public void send(VerificationResendRequested resend) {
        send(topics.resendRequested, resend.getRequestId(), resend);
    }

    private <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        producer.send(new ProducerRecord<>(topic.name(), key, bytes));
    }

    /** Any bytes, any key (null allowed): for poison records. Waits for the broker's acknowledgement. */
    public void raw(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    /** Serialized bytes of a record (to build poison variants of a valid record). */
    public <V extends SpecificRecord> byte[] bytes(Topic<String, V> topic, V value) {
        return topic.valueSerde().serializer().serialize(topic.name(), value);
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
