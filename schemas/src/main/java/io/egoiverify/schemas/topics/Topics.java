package io.egoiverify.schemas.topics;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.serde.SpecificAvroSerde;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic of the service as a typed descriptor, built from configuration. Immutable. */
public final class Topics {
    public final TopicNames names;
    public final Topic<String, VerificationRequested> requested;
    public final Topic<String, CodeSubmitted> codeSubmitted;
    public final Topic<String, VerificationCancelRequested> cancelRequested;
    public final Topic<String, VerificationSent> sent;
    public final Topic<String, CodeRejected> codeRejected;
    public final Topic<String, VerificationVerified> verified;
    public final Topic<String, VerificationExpired> expired;
    public final Topic<String, VerificationCancelled> cancelled;
    public final Topic<String, VerificationFailed> failed;
    public final Topic<String, VerificationCommand> commands;
    public final Topic<String, VerificationCommandResult> results;
    public final Topic<String, byte[]> deadLetter;

    public Topics(TopicNames names, SchemaRegistryClient registry, AvroSerdeConfig serdeConfig) {
        this.names = Objects.requireNonNull(names, "names");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(serdeConfig, "serdeConfig");
        this.requested = topic(names.requested(), registry, serdeConfig, VerificationRequested.class);
        this.codeSubmitted = topic(names.codeSubmitted(), registry, serdeConfig, CodeSubmitted.class);
        this.cancelRequested = topic(names.cancelRequested(), registry, serdeConfig, VerificationCancelRequested.class);
        this.sent = topic(names.sent(), registry, serdeConfig, VerificationSent.class);
        this.codeRejected = topic(names.codeRejected(), registry, serdeConfig, CodeRejected.class);
        this.verified = topic(names.verified(), registry, serdeConfig, VerificationVerified.class);
        this.expired = topic(names.expired(), registry, serdeConfig, VerificationExpired.class);
        this.cancelled = topic(names.cancelled(), registry, serdeConfig, VerificationCancelled.class);
        this.failed = topic(names.failed(), registry, serdeConfig, VerificationFailed.class);
        this.commands = topic(names.commands(), registry, serdeConfig, VerificationCommand.class);
        this.results = topic(names.results(), registry, serdeConfig, VerificationCommandResult.class);
        this.deadLetter = new Topic<>(names.deadLetter(), Serdes.String(), Serdes.ByteArray());
    }

    private static <V extends SpecificRecord> Topic<String, V> topic(String name, SchemaRegistryClient registry,
                                                                     AvroSerdeConfig config, Class<V> type) {
        Serde<V> serde = new SpecificAvroSerde<>(registry, config, type);
        return new Topic<>(name, Serdes.String(), serde);
    }
}
