package io.egoiverify.lifecycle.streams.bench;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/** What the memory benchmark's coordinator and its lifecycle instances (separate JVMs) must agree on. */
final class MemoryBenchConfig {
    static final String APPLICATION_ID = "bench-memory";
    /** Per-number limits on, so that each partition has all four stores (two of the lifecycle, two of the guard). */
    private static final byte[] NUMBER_KEY = "bench-memory-number-key-0123456789abcdef"
            .getBytes(StandardCharsets.UTF_8);

    private MemoryBenchConfig() {
    }

    /**
     * The production defaults except: a 24 h default TTL (the longest allowed) so that every verification stays
     * live for the whole run, and per-number limits on.
     */
    static LifecycleConfig lifecycle() {
        return LifecycleConfig.defaults().withApplicationId(APPLICATION_ID)
                .withTtls(Duration.ofSeconds(30), Duration.ofHours(24), Duration.ofHours(24))
                .withAbuse(AbuseLimits.defaults(NUMBER_KEY));
    }

    /**
     * Serdes over an in-memory registry. Each JVM has its own, and that registry numbers schemas in the order they
     * are registered: every value schema is registered here in one fixed order, so that the ids a record carries
     * mean the same in the coordinator and in the lifecycle instances.
     */
    static Topics topics() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        Topics topics = new Topics(TopicNames.defaults(), registry,
                new AvroSerdeConfig("mock://bench-memory", null, true, false));
        List<Map.Entry<String, Schema>> values = List.of(
                Map.entry(topics.requested.name(), VerificationRequested.getClassSchema()),
                Map.entry(topics.codeSubmitted.name(), CodeSubmitted.getClassSchema()),
                Map.entry(topics.cancelRequested.name(), VerificationCancelRequested.getClassSchema()),
                Map.entry(topics.resendRequested.name(), VerificationResendRequested.getClassSchema()),
                Map.entry(topics.sent.name(), VerificationSent.getClassSchema()),
                Map.entry(topics.resendRejected.name(), ResendRejected.getClassSchema()),
                Map.entry(topics.codeRejected.name(), CodeRejected.getClassSchema()),
                Map.entry(topics.verified.name(), VerificationVerified.getClassSchema()),
                Map.entry(topics.expired.name(), VerificationExpired.getClassSchema()),
                Map.entry(topics.cancelled.name(), VerificationCancelled.getClassSchema()),
                Map.entry(topics.failed.name(), VerificationFailed.getClassSchema()),
                Map.entry(topics.commands.name(), VerificationCommand.getClassSchema()),
                Map.entry(topics.results.name(), VerificationCommandResult.getClassSchema()));
        values.forEach(e -> registry.register(e.getKey() + "-value", e.getValue()));
        return topics;
    }

    static String requestId(long i) {
        return "m-" + i;
    }

    /** A distinct valid mobile number per verification, so that the guard admits every request. */
    static String number(long i) {
        return String.format("+35191%07d", i);
    }
}
