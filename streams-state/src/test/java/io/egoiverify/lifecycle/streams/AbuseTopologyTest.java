package io.egoiverify.lifecycle.streams;

import static io.egoiverify.internal.CommandStatus.SENT;
import static io.egoiverify.internal.CommandStatus.VERIFIED;
import static io.egoiverify.internal.CommandStatus.WRONG_CODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.FailureReason;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.internal.CancelVerification;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.AbuseLimits.ActivePolicy;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.GrantedCommand;
import io.egoiverify.lifecycle.Input;
import io.egoiverify.lifecycle.Lifecycle;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.Limit;
import io.egoiverify.lifecycle.NumberNotice;
import io.egoiverify.lifecycle.NumberState;
import io.egoiverify.lifecycle.Output;
import io.egoiverify.lifecycle.PermitVerdict;
import io.egoiverify.lifecycle.Status;
import io.egoiverify.lifecycle.VerificationState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each per-number limit through the real topology: lifecycle → permit topic → guard → verdict topic → lifecycle; the
 * guard writing the granted send to the command topic (the default), or the lifecycle writing it (switched off).
 */
@Timeout(60)
class AbuseTopologyTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final String OTHER_PHONE = "+351912345678";

    static LifecycleConfig config(AbuseLimits limits) {
        return LifecycleConfig.defaults().withAbuse(limits);
    }

    private static VerificationFailed onlyFailure(TopologyFixture f) {
        List<VerificationFailed> failures = f.failed.readValuesToList();
        assertThat(failures).hasSize(1);
        return failures.get(0);
    }

    @Test
    void sendsPerNumberHoldsAcrossVerificationsAndSlidesWithTheWindow() {
        AbuseCounters counters = new AbuseCounters();
        LifecycleConfig c = config(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.OFF)
                .withSends(2, Duration.ofMinutes(10)));
        try (TopologyFixture f = new TopologyFixture(c, true, counters)) {
            f.request("r1");
            f.request("r2");
            f.request("r3");
            f.request(Fixtures.request("r4", f.now()).setPhoneNumber(OTHER_PHONE).build());
            List<VerificationCommand> sends = f.commands.readValuesToList();
            assertThat(sends).extracting(VerificationCommand::getRequestId).containsExactly("r1", "r2", "r4");
            assertThat(((SendCode) sends.get(0).getAction()).getPhoneNumber()).isEqualTo(Fixtures.PHONE);
            VerificationFailed refused = onlyFailure(f);
            assertThat(refused.getRequestId()).isEqualTo("r3");
            assertThat(refused.getReason()).isEqualTo(FailureReason.RATE_LIMITED);
            assertThat(refused.getDetail()).startsWith("rate limited: sends-per-number").doesNotContain("910000000");
            assertThat(counters.grantedCount()).isEqualTo(3);
            assertThat(counters.refusedCount(Limit.SENDS_PER_NUMBER)).isEqualTo(1);
            // The window slides: after 10 minutes the punctuator has dropped both numbers' entries.
            f.advance(Duration.ofMinutes(10));
            assertThat(count(numbers(f))).isZero();
            assertThat(count(f.driver.getKeyValueStore(LifecycleTopology.NUMBER_DEADLINES_STORE))).isZero();
            f.request("r5");
            assertThat(f.commands.readValuesToList()).extracting(VerificationCommand::getRequestId)
                    .containsExactly("r5");
        }
    }

    @Test
    void failedChecksPerNumberRefusesNewSends() {
        AbuseCounters counters = new AbuseCounters();
        LifecycleConfig c = config(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.OFF)
                .withFailedChecks(2, Duration.ofHours(1)));
        try (TopologyFixture f = new TopologyFixture(c, true, counters)) {
            f.request("r1");
            f.result(f.command(), SENT);
            f.submit("r1", "s1", "111111");
            f.result(f.command(), WRONG_CODE);
            f.submit("r1", "s2", "222222");
            f.result(f.command(), WRONG_CODE);
            f.request("r2");
            VerificationFailed refused = onlyFailure(f);
            assertThat(refused.getRequestId()).isEqualTo("r2");
            assertThat(refused.getDetail()).startsWith("rate limited: failed-checks-per-number");
            assertThat(counters.failedCheckCount()).isEqualTo(2);
            assertThat(counters.refusedCount(Limit.FAILED_CHECKS_PER_NUMBER)).isEqualTo(1);
            f.advance(Duration.ofHours(1));
            f.request("r3");
            assertThat(f.commands.readValuesToList()).extracting(VerificationCommand::getRequestId)
                    .containsExactly("r3");
        }
    }

    @Test
    void oneActivePerNumberRefusesUntilTheLiveOneEnds() {
        LifecycleConfig c = config(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.REFUSE));
        try (TopologyFixture f = new TopologyFixture(c, true)) {
            f.request("r1");
            VerificationCommand send = f.command();
            f.request("r2");
            assertThat(onlyFailure(f).getDetail()).startsWith("rate limited: one-active-per-number");
            f.result(send, SENT);
            f.submit("r1", "s1", "123456");
            f.result(f.command(), VERIFIED);
            f.request("r3");
            assertThat(f.command().getRequestId()).isEqualTo("r3");
        }
    }

    @Test
    void supersedeCancelsTheLiveVerification() {
        AbuseCounters counters = new AbuseCounters();
        LifecycleConfig c = config(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.SUPERSEDE));
        try (TopologyFixture f = new TopologyFixture(c, true, counters)) {
            f.request("r1");
            f.result(f.command(), SENT);
            f.request("r2");
            // r1 is cancelled at E-goi too (its id is known), and r2's code is sent. In no fixed order: they are two
            // verifications (two partitions in general); the guard writes r2's send with the SUPERSEDED verdict that
            // makes r1's lifecycle write the cancel.
            var commands = f.commands.readValuesToList();
            assertThat(commands).hasSize(2);
            assertThat(commands).filteredOn(cmd -> cmd.getRequestId().equals("r1")).singleElement()
                    .satisfies(cmd -> assertThat(cmd.getAction()).isInstanceOfSatisfying(CancelVerification.class,
                            a -> assertThat(a.getProviderRequestId()).isEqualTo("egoi-r1")));
            assertThat(commands).filteredOn(cmd -> cmd.getRequestId().equals("r2")).singleElement()
                    .satisfies(cmd -> assertThat(cmd.getAction()).isInstanceOf(SendCode.class));
            var cancelled = f.cancelled.readValuesToList();
            assertThat(cancelled).hasSize(1);
            assertThat(cancelled.get(0).getRequestId()).isEqualTo("r1");
            assertThat(cancelled.get(0).getReason()).contains("superseded");
            assertThat(counters.supersededCount()).isEqualTo(1);
            // r1 is over: a code for it is answered CANCELLED, nothing is checked.
            f.submit("r1", "s1", "123456");
            assertThat(f.commands.readValuesToList()).isEmpty();
        }
    }

    @Test
    void garbageAnnouncingAHugeLengthOnTheGuardTopicsDoesNotStopProcessing() {
        // Six bytes whose length prefix announces 2 GB: the serde allocated it (OutOfMemoryError, an Error no handler
        // sees: the stream thread died on the record again and again). Now a SerializationException, dead-lettered
        // (the test driver does not surface the deserialization handler's dead letters: AbuseServiceIT reads them).
        LifecycleConfig c = config(AbuseLimits.defaults(KEY));
        try (TopologyFixture f = new TopologyFixture(c, true)) {
            for (String topic : List.of(LifecycleTopology.verdictTopic(c), LifecycleTopology.permitTopic(c))) {
                f.driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer())
                        .pipeInput("r0".getBytes(StandardCharsets.UTF_8), GuardFormatsTest.HUGE_LENGTH);
            }
            f.request("r1");
            assertThat(f.command().getAction()).isInstanceOf(SendCode.class);
            assertThat(f.verifications().get("r1").status()).isEqualTo(Status.SENDING);
            assertThat(f.verifications().get("r0")).isNull();
        }
    }

    @Test
    void noPlainNumberInAnyStoreOrGuardTopic() {
        LifecycleConfig c = config(AbuseLimits.defaults(KEY));
        try (TopologyFixture f = new TopologyFixture(c, true)) {
            TestOutputTopic<byte[], byte[]> permits = f.driver.createOutputTopic(LifecycleTopology.permitTopic(c),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> verdicts = f.driver.createOutputTopic(LifecycleTopology.verdictTopic(c),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<byte[]> bytes = new ArrayList<>();
            f.request("r1");
            snapshot(f, bytes);
            f.result(f.command(), SENT);
            f.submit("r1", "s1", "111111");
            f.result(f.command(), WRONG_CODE);
            f.request("r2");
            snapshot(f, bytes);
            permits.readKeyValuesToList().forEach(kv -> {
                bytes.add(kv.key);
                bytes.add(kv.value);
            });
            verdicts.readKeyValuesToList().forEach(kv -> {
                bytes.add(kv.key);
                bytes.add(kv.value);
            });
            assertThat(bytes).hasSizeGreaterThan(8).noneMatch(b -> {
                String s = new String(b, StandardCharsets.ISO_8859_1);
                return s.contains("910000000") || s.contains("351910");
            });
        }
    }

    @Test
    void aNumberSealedUnderAnotherKeyIsStillDeadLettered() {
        // The number key changed while requests were awaiting their permit: their sealed numbers cannot be opened. The
        // pure step throws before anything is written, so the record is refused as a whole (dead-lettered; the
        // deadline fails the verification), on the guard's side and on the lifecycle's.
        byte[] oldKey = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
        LifecycleConfig before = config(AbuseLimits.defaults(oldKey));
        var awaiting = new Lifecycle(before.withGuardIssuesCommands(false)).apply(null,
                new Input.Requested(Fixtures.request("r1", Fixtures.T0).build()), Fixtures.T0).state();
        NumberNotice carrying = new Lifecycle(before.withGuardIssuesCommands(true)).apply(null,
                new Input.Requested(Fixtures.request("r2", Fixtures.T0).build()), Fixtures.T0).outputs().stream()
                .filter(o -> o instanceof Output.Notify).map(o -> ((Output.Notify) o).notice()).findFirst()
                .orElseThrow();
        assertThat(carrying.command()).isNotNull();
        LifecycleConfig c = config(AbuseLimits.defaults(KEY)).withGuardIssuesCommands(false);
        try (TopologyFixture f = new TopologyFixture(c, true)) {
            f.verifications().put("r1", awaiting);
            f.driver.createInputTopic(LifecycleTopology.verdictTopic(c), new StringSerializer(),
                    GuardSerdes.verdicts().serializer()).pipeInput("r1", new PermitVerdict("r1",
                    awaiting.permitId(), PermitVerdict.Kind.GRANTED, null), f.now());
            f.driver.createInputTopic(LifecycleTopology.permitTopic(c), new StringSerializer(),
                    GuardSerdes.notices().serializer()).pipeInput(carrying.numberHash(), carrying, f.now());
            var dead = f.deadLetters.readRecordsToList();
            assertThat(dead).hasSize(2).allSatisfy(r -> assertThat(new String(
                    r.headers().lastHeader("__streams.errors.message").value(), StandardCharsets.UTF_8))
                    .contains("cannot unseal the number"));
            assertThat(f.commands.isEmpty()).isTrue();
            assertThat(f.verifications().get("r1")).isEqualTo(awaiting);
            f.request("r3");
            assertThat(f.command().getAction()).isInstanceOf(SendCode.class);
        }
    }

    /**
     * A notice larger than any the lifecycle writes (a rogue producer on the permit topic) is dead-lettered before
     * the guard stores or answers anything: its ids would be stored in the number's state and echoed in a verdict, its
     * command would become a command record, and one that filled its record made records the producer refuses for
     * good (the task failed on it for ever).
     */
    @Test
    void aPermitNoticeLargerThanAnyTheLifecycleWritesIsDeadLettered() {
        LifecycleConfig c = config(AbuseLimits.defaults(KEY)).withGuardIssuesCommands(true);
        NumberNotice real = new Lifecycle(c).apply(null, new Input.Requested(Fixtures.request("r1", Fixtures.T0)
                .build()), Fixtures.T0).outputs().stream().filter(o -> o instanceof Output.Notify)
                .map(o -> ((Output.Notify) o).notice()).findFirst().orElseThrow();
        String longId = "x".repeat(1_025);
        GrantedCommand g = real.command();
        NumberNotice longRequestId = new NumberNotice(real.kind(), real.numberHash(), longId, longId + "/permit",
                real.at(), null);
        NumberNotice longMessage = new NumberNotice(real.kind(), real.numberHash(), "r2", "r2/permit", real.at(),
                new GrantedCommand(g.senderProfile(), g.deadline(), g.sealedNumber(), g.codeType(), g.codeSize(),
                        g.ttlSeconds(), "m".repeat(70_000), g.group(), g.providerRequestId(), g.sendCount()));
        try (TopologyFixture f = new TopologyFixture(c, true)) {
            var permits = f.driver.createInputTopic(LifecycleTopology.permitTopic(c), new StringSerializer(),
                    GuardSerdes.notices().serializer());
            permits.pipeInput(real.numberHash(), longRequestId, f.now());
            permits.pipeInput(real.numberHash(), longMessage, f.now());

            assertThat(f.deadLetters.readRecordsToList()).extracting(r -> new String(
                    r.headers().lastHeader("__streams.errors.message").value(), StandardCharsets.UTF_8)).containsExactly(
                    "permit notice with an id longer than any the lifecycle writes",
                    "permit notice with a command larger than any the lifecycle writes");
            assertThat(f.commands.isEmpty()).isTrue();
            f.request("r3");
            assertThat(f.command().getAction()).isInstanceOf(SendCode.class);
        }
    }

    @Test
    void theGuardIssuesTheGrantedSendWithItsVerdict() {
        LifecycleConfig c = config(AbuseLimits.defaults(KEY)).withGuardIssuesCommands(true);
        try (TopologyFixture f = new TopologyFixture(c, true)) {
            GuardTopicsRead guard = new GuardTopicsRead(f, c);
            f.request("r1");
            NumberNotice request = guard.permits().readValue();
            assertThat(request.command()).as("the request carries the send").isNotNull();
            assertThat(request.command().sealedNumber()).doesNotContain("910000000");
            assertThat(guard.verdicts().readValue().commandIssued()).isTrue();
            TestRecord<String, VerificationCommand> sent = f.commands.readRecord();
            assertThat(f.commands.isEmpty()).as("one command: the guard's").isTrue();
            assertThat(sent.key()).isEqualTo("r1");
            VerificationCommand send = sent.value();
            assertThat(send.getCommandId()).isEqualTo("r1/send/" + Fixtures.T0.toEpochMilli());
            assertThat(send.getDeadline()).as("min(send deadline, permit deadline)")
                    .isEqualTo(Fixtures.T0.plus(c.abuse().permitTimeout()));
            assertThat(((SendCode) send.getAction()).getPhoneNumber()).isEqualTo(Fixtures.PHONE);
            VerificationState state = f.verifications().get("r1");
            assertThat(state.status()).isEqualTo(Status.SENDING);
            assertThat(state.inFlight().commandId()).isEqualTo(send.getCommandId());
            f.result(send, SENT);
            assertThat(f.sent.readValue().getRequestId()).isEqualTo("r1");
        }
    }

    @Test
    void switchedOffTheLifecycleIssuesTheGrantedSendAsBefore() {
        LifecycleConfig c = config(AbuseLimits.defaults(KEY)).withGuardIssuesCommands(false);
        try (TopologyFixture f = new TopologyFixture(c, true)) {
            GuardTopicsRead guard = new GuardTopicsRead(f, c);
            f.request("r1");
            assertThat(guard.permits().readValue().command()).isNull();
            assertThat(guard.verdicts().readValue().commandIssued()).isFalse();
            List<VerificationCommand> commands = f.commands.readValuesToList();
            assertThat(commands).singleElement().satisfies(send -> {
                assertThat(send.getCommandId()).isEqualTo("r1/send/" + Fixtures.T0.toEpochMilli());
                assertThat(send.getDeadline()).isEqualTo(Fixtures.T0.plus(c.sendDeadline()));
            });
        }
    }

    /** The guard's two topics, read as the guard and the lifecycle read them. */
    private record GuardTopicsRead(TestOutputTopic<String, NumberNotice> permits,
                                   TestOutputTopic<String, PermitVerdict> verdicts) {
        GuardTopicsRead(TopologyFixture f, LifecycleConfig c) {
            this(f.driver.createOutputTopic(LifecycleTopology.permitTopic(c), new StringDeserializer(),
                    GuardSerdes.notices().deserializer()), f.driver.createOutputTopic(LifecycleTopology.verdictTopic(c),
                    new StringDeserializer(), GuardSerdes.verdicts().deserializer()));
        }
    }

    private static void snapshot(TopologyFixture f, List<byte[]> bytes) {
        StateSerde serde = new StateSerde();
        try (KeyValueIterator<String, VerificationState> it = f.verifications().all()) {
            it.forEachRemaining(kv -> bytes.add(serde.serialize("x", kv.value)));
        }
        try (KeyValueIterator<String, NumberState> it = numbers(f).all()) {
            it.forEachRemaining(kv -> {
                bytes.add(kv.key.getBytes(StandardCharsets.UTF_8));
                bytes.add(GuardSerdes.numberStates().serializer().serialize("x", kv.value));
            });
        }
    }

    private static KeyValueStore<String, NumberState> numbers(TopologyFixture f) {
        return f.driver.getKeyValueStore(LifecycleTopology.NUMBERS_STORE);
    }

    private static int count(KeyValueStore<?, ?> store) {
        int n = 0;
        try (KeyValueIterator<?, ?> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }
}
