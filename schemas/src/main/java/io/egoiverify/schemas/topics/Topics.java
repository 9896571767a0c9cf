package io.egoiverify.schemas.topics;

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
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.serde.SerdeFactory;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic of the service as a typed descriptor, built from configuration. Immutable. */
public final class Topics {
    public final TopicNames names;
    public final Topic<String, VerificationRequested> requested;
    public final Topic<String, CodeSubmitted> codeSubmitted;
    public final Topic<String, VerificationCancelRequested> cancelRequested;
    public final Topic<String, VerificationResendRequested> resendRequested;
    public final Topic<String, VerificationSent> sent;
    public final Topic<String, ResendRejected> resendRejected;
    public final Topic<String, CodeRejected> codeRejected;
    public final Topic<String, VerificationVerified> verified;
    public final Topic<String, VerificationExpired> expired;
    public final Topic<String, VerificationCancelled> cancelled;
    public final Topic<String, VerificationFailed> failed;
    public final Topic<String, VerificationCommand> commands;
    public final Topic<String, VerificationCommandResult> results;
    public final Topic<String, byte[]> deadLetter;

    public Topics(TopicNames names, SchemaRegistryClient registry, AvroSerdeConfig serdeConfig) {
        this(names, new SerdeFactory(Objects.requireNonNull(registry, "registry"),
                Objects.requireNonNull(serdeConfig, "serdeConfig")));
    }

    /** With the value serdes {@code serdes} chooses (this project's, or one named by {@code value.serde.class}). */
    public Topics(TopicNames names, SerdeFactory serdes) {
        this.names = Objects.requireNonNull(names, "names");
        Objects.requireNonNull(serdes, "serdes");
        this.requested = topic(names.requested(), serdes, VerificationRequested.class);
        this.codeSubmitted = topic(names.codeSubmitted(), serdes, CodeSubmitted.class);
        this.cancelRequested = topic(names.cancelRequested(), serdes, VerificationCancelRequested.class);
        this.resendRequested = topic(names.resendRequested(), serdes, VerificationResendRequested.class);
        this.sent = topic(names.sent(), serdes, VerificationSent.class);
        this.resendRejected = topic(names.resendRejected(), serdes, ResendRejected.class);
        this.codeRejected = topic(names.codeRejected(), serdes, CodeRejected.class);
        this.verified = topic(names.verified(), serdes, VerificationVerified.class);
        this.expired = topic(names.expired(), serdes, VerificationExpired.class);
        this.cancelled = topic(names.cancelled(), serdes, VerificationCancelled.class);
        this.failed = topic(names.failed(), serdes, VerificationFailed.class);
        this.commands = topic(names.commands(), serdes, VerificationCommand.class);
        this.results = topic(names.results(), serdes, VerificationCommandResult.class);
        this.deadLetter = new Topic<>(names.deadLetter(), Serdes.String(), Serdes.ByteArray());
    }

    private static <V extends SpecificRecord> Topic<String, V> topic(String name, SerdeFactory serdes, Class<V> type) {
        return new Topic<>(name, Serdes.String(), serdes.valueSerde(type));
    }
}
