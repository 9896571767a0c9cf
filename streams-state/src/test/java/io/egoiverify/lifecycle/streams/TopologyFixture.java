package io.egoiverify.lifecycle.streams;

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
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.VerificationState;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.Topic;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** A TopologyTestDriver over the lifecycle topology with typed input and output topics. */
final class TopologyFixture implements AutoCloseable {
    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final FlakyRegistry topologyRegistry = new FlakyRegistry(registry);
    final Topics clientTopics;
    final Topics topics;
    final TopologyTestDriver driver;
    final TestInputTopic<String, VerificationRequested> requested;
    final TestInputTopic<String, CodeSubmitted> submitted;
    final TestInputTopic<String, VerificationCancelRequested> cancelRequested;
    final TestInputTopic<String, VerificationResendRequested> resendRequested;
    final TestInputTopic<String, VerificationCommandResult> results;
    final TestInputTopic<byte[], byte[]> rawRequested;
    final TestOutputTopic<String, VerificationSent> sent;
    final TestOutputTopic<String, ResendRejected> resendRejected;
    final TestOutputTopic<String, CodeRejected> rejected;
    final TestOutputTopic<String, VerificationVerified> verified;
    final TestOutputTopic<String, VerificationExpired> expired;
    final TestOutputTopic<String, VerificationCancelled> cancelled;
    final TestOutputTopic<String, VerificationFailed> failed;
    final TestOutputTopic<String, VerificationCommand> commands;
    final TestOutputTopic<byte[], byte[]> deadLetters;

    TopologyFixture(LifecycleConfig config) {
        this(config, true);
    }

    TopologyFixture(LifecycleConfig config, boolean persistent) {
        this(config, persistent, AbuseMetrics.NONE);
    }

    TopologyFixture(LifecycleConfig config, boolean persistent, AbuseMetrics metrics) {
        this(config, persistent, metrics, LifecycleMetrics.NONE);
    }

    TopologyFixture(LifecycleConfig config, boolean persistent, AbuseMetrics metrics, LifecycleMetrics expiry) {
        AvroSerdeConfig serde = new AvroSerdeConfig("mock://topology-test", null, true, false);
        clientTopics = new Topics(TopicNames.defaults(), registry, serde);
        topics = new Topics(TopicNames.defaults(), topologyRegistry, serde);
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        try {
            props.put(StreamsConfig.STATE_DIR_CONFIG,
                    java.nio.file.Files.createTempDirectory("lifecycle-ttd").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Properties all = LifecycleService.streamsProperties(topics, config, props);
        LifecycleOptions options = LifecycleOptions.of(topics, config).withAbuseMetrics(metrics)
                .withLifecycleMetrics(expiry);
        driver = new TopologyTestDriver(LifecycleTopology.build(persistent ? options : options.withInMemoryStores()),
                all, Fixtures.T0);
        requested = input(clientTopics.requested);
        submitted = input(clientTopics.codeSubmitted);
        cancelRequested = input(clientTopics.cancelRequested);
        resendRequested = input(clientTopics.resendRequested);
        results = input(clientTopics.results);
        rawRequested = driver.createInputTopic(clientTopics.requested.name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        sent = output(clientTopics.sent);
        resendRejected = output(clientTopics.resendRejected);
        rejected = output(clientTopics.codeRejected);
        verified = output(clientTopics.verified);
        expired = output(clientTopics.expired);
        cancelled = output(clientTopics.cancelled);
        failed = output(clientTopics.failed);
        commands = output(clientTopics.commands);
        deadLetters = driver.createOutputTopic(clientTopics.deadLetter.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> t) {
        return driver.createInputTopic(t.name(), t.keySerde().serializer(), t.valueSerde().serializer());
    }

    private <V> TestOutputTopic<String, V> output(Topic<String, V> t) {
        return driver.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
    }

    Instant now() {
        return Fixtures.T0.plusMillis(elapsed);
    }

    private long elapsed;

    void advance(Duration d) {
        elapsed += d.toMillis();
        driver.advanceWallClockTime(d);
    }

    void request(VerificationRequested r) {
        requested.pipeInput(r.getRequestId(), r, now());
    }

    void request(String id) {
        request(Fixtures.request(id, now()).build());
    }

    void submit(String id, String submissionId, String code) {
        submitted.pipeInput(id, Fixtures.submit(id, submissionId, code, now()), now());
    }

    void cancel(String id) {
        cancelRequested.pipeInput(id, Fixtures.cancel(id, "changed my mind", now()), now());
    }

    void resend(String id) {
        resendRequested.pipeInput(id, Fixtures.resend(id, now()), now());
    }

    void result(VerificationCommand command, io.egoiverify.internal.CommandStatus status) {
        results.pipeInput(command.getRequestId(),
                Fixtures.result(command.getRequestId(), command.getCommandId(), status, now()), now());
    }

    /** The one command issued since the last read. */
    VerificationCommand command() {
        return commands.readValue();
    }

    KeyValueStore<String, VerificationState> verifications() {
        return driver.getKeyValueStore(LifecycleTopology.VERIFICATIONS_STORE);
    }

    List<KeyValue<Bytes, byte[]>> deadlineEntries() {
        KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(LifecycleTopology.DEADLINES_STORE);
        List<KeyValue<Bytes, byte[]>> all = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    @Override
    public void close() {
        driver.close();
    }
}
