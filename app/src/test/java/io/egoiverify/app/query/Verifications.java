package io.egoiverify.app.query;

import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.topics.Topic;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
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
import org.awaitility.Awaitility;

/**
 * Drives verifications into every state the status query shows, playing the registration service (inputs) and the
 * worker (results: a send answered SENT, a check answered VERIFIED or left in flight), and knows the answer each one
 * must get. Every code, full number and E-goi id it uses is recorded, so that a test can prove no answer holds one.
 */
final class Verifications implements AutoCloseable {
    static final String CODE = "739251";
    static final int TTL_SECONDS = 3600;
    static final int MAX_ATTEMPTS = 5;
    /** {@code lifecycle.resend-cooldown} of the deployments that use this driver. */
    static final Duration COOLDOWN = Duration.ofSeconds(2);

    /** What a verification is driven to, and the answer it gets. */
    enum Kind { PENDING, SENT, RESENT, CHECKING, VERIFIED, CANCELLED, FAILED, CANCEL_ONLY, UNKNOWN }

    private final Topics topics;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> commands;
    /**
     * Start of each (simulated) send call, the base of expiresAt: its command's issuedAt. The lifecycle takes a start
     * before that as the worker's clock being behind (and uses the issue), so a fixed instant would not do.
     */
    final Map<String, Instant> sentAt = new ConcurrentHashMap<>();
    /** Start of each resend call: a new code, a new expiresAt. */
    final Map<String, Instant> resentAt = new ConcurrentHashMap<>();
    final Map<String, Kind> kinds = new LinkedHashMap<>();
    final Map<String, String> phones = new LinkedHashMap<>();

    Verifications(String bootstrap, Topics topics, String group) {
        this.topics = topics;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer());
        this.commands = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        commands.subscribe(List.of(topics.names.commands()));
    }

    /** Adds {@code count} verifications of {@code kind}, ids {@code <prefix><kind>-<n>}. */
    Verifications add(String prefix, Kind kind, int count) {
        for (int i = 0; i < count; i++) {
            String id = prefix + kind.name().toLowerCase().replace('_', '-') + "-" + i;
            kinds.put(id, kind);
            phones.put(id, String.format("+35191%07d", kinds.size()));
        }
        return this;
    }

    /**
     * Publishes the inputs and answers the commands until every verification is where its kind says; {@code settled}
     * tells when the SENT ones may take a code (their send result folded), since a code before that is NOT_SENT_YET.
     */
    void drive(BooleanSupplier sentFolded, Duration timeout) throws Exception {
        for (Map.Entry<String, Kind> e : kinds.entrySet()) {
            String id = e.getKey();
            switch (e.getValue()) {
                case UNKNOWN -> { }
                case CANCEL_ONLY -> cancel(id);
                case FAILED -> request(id, "12");
                default -> request(id, phones.get(id));
            }
        }
        producer.flush();
        // A cancel goes out once its request was folded (its send command seen): published together, the two topics
        // may be read in either order, and a cancel that comes first is remembered without the number.
        Set<String> toSend = ids(Kind.SENT, Kind.RESENT, Kind.CHECKING, Kind.VERIFIED);
        Set<String> toCancel = ids(Kind.CANCELLED);
        Set<String> waiting = new HashSet<>(toSend);
        waiting.addAll(toCancel);
        answer(c -> {
            if (!(c.getAction() instanceof SendCode) || !waiting.remove(c.getRequestId())) {
                return false;
            }
            if (toCancel.contains(c.getRequestId())) {
                cancel(c.getRequestId());
                return false;
            }
            return true;
        }, CommandStatus.SENT, waiting, timeout);
        await(sentFolded, timeout, "send results folded");
        Set<String> toResend = ids(Kind.RESENT);
        if (!toResend.isEmpty()) {
            // after the cooldown since the first sends (whose calls started at sentAt)
            Instant cooldownOver = toResend.stream().map(sentAt::get).max(Instant::compareTo).orElseThrow()
                    .plus(COOLDOWN);
            await(() -> Instant.now().isAfter(cooldownOver), timeout, "the resend cooldown");
            for (String id : toResend) {
                send(topics.resendRequested, id, VerificationResendRequested.newBuilder().setRequestId(id)
                        .setReason("did not arrive").setRequestedAt(Instant.now()).build());
            }
            producer.flush();
            answer(c -> c.getAction() instanceof ResendCode && toResend.remove(c.getRequestId()), CommandStatus.SENT,
                    toResend, timeout);
        }
        Set<String> toCheck = ids(Kind.CHECKING, Kind.VERIFIED);
        for (String id : toCheck) {
            send(topics.codeSubmitted, id, CodeSubmitted.newBuilder().setRequestId(id).setSubmissionId("s-" + id)
                    .setCode(CODE).setSubmittedAt(Instant.now()).build());
        }
        producer.flush();
        Set<String> toVerify = ids(Kind.VERIFIED);
        answer(c -> c.getAction() instanceof CheckCode && toVerify.remove(c.getRequestId()), CommandStatus.VERIFIED,
                toVerify, timeout);
    }

    Set<String> ids(Kind... of) {
        Set<Kind> wanted = new HashSet<>(List.of(of));
        Set<String> ids = new java.util.LinkedHashSet<>();
        kinds.forEach((id, k) -> {
            if (wanted.contains(k)) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** The answer {@code id} must get: the JSON fields, or null for a 404. */
    Map<String, Object> expected(String id) {
        Kind kind = kinds.get(id);
        if (kind == Kind.CANCEL_ONLY || kind == Kind.UNKNOWN) {
            return null;
        }
        boolean sent = kind == Kind.SENT || kind == Kind.RESENT || kind == Kind.CHECKING || kind == Kind.VERIFIED;
        Instant lastSend = kind == Kind.RESENT ? resentAt.get(id) : sentAt.get(id);
        boolean terminal = kind == Kind.VERIFIED || kind == Kind.CANCELLED || kind == Kind.FAILED;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestId", id);
        m.put("status", switch (kind) {
            case PENDING -> "PENDING_SEND";
            case SENT, RESENT -> "SENT";
            case CHECKING -> "CHECKING";
            case VERIFIED -> "VERIFIED";
            case CANCELLED -> "CANCELLED";
            default -> "FAILED";
        });
        String phone = phones.get(id);
        m.put("phoneNumberMasked", kind == Kind.FAILED ? null : phone.substring(0, 4) + "*******"
                + phone.substring(phone.length() - 2));
        m.put("sendCount", kind == Kind.RESENT ? 2 : sent ? 1 : 0);
        m.put("expiresAt", sent ? lastSend.plusSeconds(TTL_SECONDS).toString() : null);
        m.put("attemptsRemaining", terminal ? 0 : MAX_ATTEMPTS);
        m.put("resendAvailableAt", sent && !terminal ? lastSend.plus(COOLDOWN).toString() : null);
        m.put("terminal", terminal);
        return m;
    }

    /** Text no answer may ever hold: the submitted code, each full number (without its +), each E-goi id. */
    List<String> secrets() {
        List<String> s = new ArrayList<>();
        s.add(CODE);
        for (String id : kinds.keySet()) {
            s.add(phones.get(id).substring(1));
            s.add(providerId(id));      // the resent one's second id has this as its prefix
        }
        return s;
    }

    private static String providerId(String id) {
        return "egoi-secret-" + id;
    }

    private void request(String id, String phone) {
        send(topics.requested, id, VerificationRequested.newBuilder().setRequestId(id).setPhoneNumber(phone)
                .setTtlSeconds(TTL_SECONDS).setMaxAttempts(MAX_ATTEMPTS).setRequestedAt(Instant.now()).build());
    }

    private void cancel(String id) {
        send(topics.cancelRequested, id, VerificationCancelRequested.newBuilder().setRequestId(id)
                .setReason("user left").setRequestedAt(Instant.now()).build());
    }

    private void answer(java.util.function.Predicate<VerificationCommand> wanted, CommandStatus status,
                        Set<String> remaining, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!remaining.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no command for " + remaining.size() + " verifications, e.g. "
                        + remaining.iterator().next());
            }
            for (ConsumerRecord<String, byte[]> r : commands.poll(Duration.ofMillis(100))) {
                VerificationCommand c = topics.commands.valueSerde().deserializer().deserialize(r.topic(), r.value());
                if (wanted.test(c)) {
                    VerificationCommandResult.Builder b = VerificationCommandResult.newBuilder()
                            .setCommandId(c.getCommandId()).setRequestId(c.getRequestId()).setStatus(status)
                            .setCompletedAt(Instant.now()).setProviderCalls(1).setDetail("test " + status);
                    if (status == CommandStatus.SENT && c.getAction() instanceof ResendCode) {
                        resentAt.put(c.getRequestId(), c.getIssuedAt());
                        b.setProviderRequestId(providerId(c.getRequestId()) + "-2").setCallStartedAt(c.getIssuedAt());
                    } else if (status == CommandStatus.SENT) {
                        sentAt.put(c.getRequestId(), c.getIssuedAt());
                        b.setProviderRequestId(providerId(c.getRequestId())).setCallStartedAt(c.getIssuedAt());
                    }
                    send(topics.results, c.getRequestId(), b.build());
                }
            }
        }
        producer.flush();
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) {
        Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(200)).until(condition::getAsBoolean);
    }

    private <V> void send(Topic<String, V> topic, String key, V value) {
        producer.send(new ProducerRecord<>(topic.name(), key, topic.valueSerde().serializer()
                .serialize(topic.name(), value)));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        commands.close(Duration.ofSeconds(5));
    }
}
