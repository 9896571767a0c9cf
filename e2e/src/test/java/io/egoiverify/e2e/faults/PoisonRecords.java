package io.egoiverify.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.e2e.support.E2eStack;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * For each input topic, records that cannot be read or belong to no verification: not Avro, a wrong magic byte, a
 * schema id the registry does not know, a truncated body, no key, and a key that is not the value's requestId. Each
 * keyed one has a unique key so that its dead letter can be found.
 */
final class PoisonRecords {
    /** Kafka Streams' dead-letter header naming the source topic. */
    static final String ORIGIN_TOPIC_HEADER = "__streams.errors.topic";
    private static final List<String> KEYED = List.of("not-avro", "wrong-magic", "unknown-schema-id", "truncated",
            "key-mismatch");

    private final E2eStack e2e;
    private final String prefix;

    PoisonRecords(E2eStack e2e) {
        this.e2e = e2e;
        this.prefix = "poison-" + e2e.runId() + "-";
    }

    /** The input topics the lifecycle reads: all four. */
    private List<String> inputs() {
        return e2e.topics().names.inputs();
    }

    void publish() {
        for (String topic : inputs()) {
            byte[] valid = validBytes(topic);
            Inputs in = e2e.inputs();
            in.raw(topic, key(topic, "not-avro"), "this is not avro".getBytes(StandardCharsets.UTF_8));
            byte[] wrongMagic = valid.clone();
            wrongMagic[0] = 7;
            in.raw(topic, key(topic, "wrong-magic"), wrongMagic);
            byte[] unknownId = valid.clone();
            ByteBuffer.wrap(unknownId).put(0, (byte) 0).putInt(1, 987_654_321);
            in.raw(topic, key(topic, "unknown-schema-id"), unknownId);
            in.raw(topic, key(topic, "truncated"), Arrays.copyOf(valid, 7));
            in.raw(topic, null, valid);
            in.raw(topic, key(topic, "key-mismatch"), valid);
        }
    }

    /** A valid record of the topic's type whose requestId is no key used anywhere. */
    private byte[] validBytes(String topic) {
        String requestId = prefix + "orphan";
        var topics = e2e.topics();
        if (topic.equals(topics.requested.name())) {
            return e2e.inputs().bytes(topics.requested, Inputs.request(requestId, e2e.nextPhoneNumber()).build());
        }
        if (topic.equals(topics.codeSubmitted.name())) {
            return e2e.inputs().bytes(topics.codeSubmitted, Inputs.submission(requestId, "s1", "123456"));
        }
        if (topic.equals(topics.resendRequested.name())) {
            return e2e.inputs().bytes(topics.resendRequested, Inputs.resend(requestId, "poison"));
        }
        return e2e.inputs().bytes(topics.cancelRequested, Inputs.cancel(requestId, "poison"));
    }

    private String key(String topic, String kind) {
        return prefix + topic + "-" + kind;
    }

    void assertDeadLettered() {
        List<OutcomeLog.Event> dead = e2e.outcomes().deadLetters().stream()
                .filter(e -> e.key() == null || e.key().startsWith(prefix)).toList();
        Set<String> keys = dead.stream().map(OutcomeLog.Event::key).filter(k -> k != null).collect(Collectors.toSet());
        for (String topic : inputs()) {
            for (String kind : KEYED) {
                assertThat(keys).as("dead letter for " + kind + " on " + topic).contains(key(topic, kind));
            }
            assertThat(dead.stream().filter(e -> e.key() == null)
                    .filter(e -> topic.equals(e.headers().get(ORIGIN_TOPIC_HEADER))).count())
                    .as("dead letter for the keyless record on " + topic).isGreaterThanOrEqualTo(1);
        }
        for (OutcomeLog.Event e : dead) {
            Map<String, String> h = e.headers();
            assertThat(h).as("dead-letter headers of " + e.key()).containsKey(ORIGIN_TOPIC_HEADER);
        }
        assertThat(e2e.outcomes().events(prefix + "orphan")).as("outcomes of the mismatched-key record").isEmpty();
    }
}
