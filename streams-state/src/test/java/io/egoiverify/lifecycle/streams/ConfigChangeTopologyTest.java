package io.egoiverify.lifecycle.streams;

import static io.egoiverify.internal.CommandStatus.REJECTED;
import static io.egoiverify.internal.CommandStatus.SENT;
import static io.egoiverify.internal.CommandStatus.VERIFIED;
import static io.egoiverify.internal.CommandStatus.WRONG_CODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.CodeType;
import io.egoiverify.events.FailureReason;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.internal.CancelVerification;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.Input;
import io.egoiverify.lifecycle.Lifecycle;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.NumberNotice;
import io.egoiverify.lifecycle.NumberState;
import io.egoiverify.lifecycle.Output;
import io.egoiverify.lifecycle.ResendPolicy;
import io.egoiverify.lifecycle.Status;
import io.egoiverify.lifecycle.VerificationState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A restart under changed settings while verifications are in flight: the state written under the old settings (the
 * stores, through their serdes) is read and acted on by a topology built with the new ones.
 */
@Timeout(60)
class ConfigChangeTopologyTest {
    private static final byte[] OLD_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);

    private static LifecycleConfig limited(byte[] key, boolean guardIssues) {
        return LifecycleConfig.defaults().withAbuse(AbuseLimits.defaults(key)).withGuardIssuesCommands(guardIssues);
    }

    /**
     * The instance restarted under {@code after}: the verifications, deadlines and per-number counters of
     * {@code before} (same store names, same changelogs), at the same wall-clock instant.
     */
    private static TopologyFixture restart(TopologyFixture before, LifecycleConfig after) {
        TopologyFixture f = new TopologyFixture(after, false);
        f.advance(Duration.between(Fixtures.T0, before.now()));
        try (KeyValueIterator<String, VerificationState> it = before.verifications().all()) {
            it.forEachRemaining(kv -> adopt(f, kv.key, kv.value));
        }
        if (after.abuse().enabled() && before.driver.getAllStateStores().containsKey(LifecycleTopology.NUMBERS_STORE)) {
            KeyValueStore<String, NumberState> to = f.driver.getKeyValueStore(LifecycleTopology.NUMBERS_STORE);
            KeyValueStore<String, NumberState> from = before.driver.getKeyValueStore(LifecycleTopology.NUMBERS_STORE);
            try (KeyValueIterator<String, NumberState> it = from.all()) {
                it.forEachRemaining(kv -> to.put(kv.key, kv.value));
            }
            KeyValueStore<Bytes, byte[]> toIndex = f.driver.getKeyValueStore(LifecycleTopology.NUMBER_DEADLINES_STORE);
            KeyValueStore<Bytes, byte[]> fromIndex = before.driver.getKeyValueStore(
                    LifecycleTopology.NUMBER_DEADLINES_STORE);
            try (KeyValueIterator<Bytes, byte[]> it = fromIndex.all()) {
                it.forEachRemaining(kv -> toIndex.put(kv.key, kv.value));
            }
        }
        return f;
    }

    private static KeyValueStore<String, NumberState> numbers(TopologyFixture f) {
        return f.driver.getKeyValueStore(LifecycleTopology.NUMBERS_STORE);
    }

    /** A stored verification and its deadline entry, as a restore would leave them. */
    private static void adopt(TopologyFixture f, String id, VerificationState state) {
        f.verifications().put(id, state);
        new DeadlineIndex(f.driver.getKeyValueStore(LifecycleTopology.DEADLINES_STORE), 1_000, at -> { })
                .move(id, null, state.wakeAt());
    }

    /**
     * abuse.enabled true → false (a full restart, as the setting asks): the topology then has no guard, no permit
     * topic. Verifications admitted under the limits carry a number hash and a permit; their end and their wrong
     * codes were told to the guard through a sink that no longer exists, which failed the task on that record (or
     * that punctuation) after every restart.
     */
    @Test
    void perNumberLimitsTurnedOffWhileVerificationsAreLive() {
        LifecycleConfig on = limited(AbuseTopologyTest.KEY, false);
        try (TopologyFixture before = new TopologyFixture(on, false)) {
            // Three numbers: one live verification per number (the default policy supersedes the older one).
            before.request(Fixtures.request("cancelled", before.now()).setPhoneNumber("+351910000001").build());
            before.result(before.command(), SENT);
            before.request(Fixtures.request("checked", before.now()).setPhoneNumber("+351910000002").build());
            before.result(before.command(), SENT);
            VerificationState awaiting = new Lifecycle(on).apply(null, new Input.Requested(
                    Fixtures.request("awaiting", before.now()).build()), before.now()).state();
            assertThat(awaiting.status()).isEqualTo(Status.AWAITING_PERMIT);
            try (TopologyFixture after = restart(before, LifecycleConfig.defaults())) {
                adopt(after, "awaiting", awaiting);
                after.cancel("cancelled");
                assertThat(after.cancelled.readValue().getRequestId()).isEqualTo("cancelled");
                assertThat(after.command().getAction()).isInstanceOf(CancelVerification.class);

                after.submit("checked", "s1", "123456");
                after.result(after.command(), WRONG_CODE);
                assertThat(after.rejected.readValue().getReason()).isEqualTo(RejectReason.WRONG_CODE);

                // Past the permit timeout of the one awaiting its verdict and the expiry of the other's code.
                after.advance(Duration.ofSeconds(61));
                VerificationFailed failed = after.failed.readValue();
                assertThat(failed.getRequestId()).isEqualTo("awaiting");
                assertThat(failed.getReason()).isEqualTo(FailureReason.PROVIDER_UNAVAILABLE);
                assertThat(after.expired.readValue().getRequestId()).isEqualTo("checked");
                assertThat(after.deadLetters.isEmpty()).isTrue();
            }
        }
    }

    /**
     * abuse.sends-window shortened (1 h → 10 min) while the guard holds counts: each number's state was filed in the
     * guard's deadline index under the old window. When that entry comes due it no longer matches the state's wake-up
     * under the new window and was dropped as stale, leaving the number's state in the store (and its changelog) until
     * a next notice for that number, for ever if none comes.
     */
    @Test
    void aShorterSendWindowStillPurgesTheCountsFiledUnderTheLongerOne() {
        LifecycleConfig hour = limited(AbuseTopologyTest.KEY, false);
        LifecycleConfig tenMinutes = LifecycleConfig.defaults().withGuardIssuesCommands(false)
                .withAbuse(AbuseLimits.defaults(AbuseTopologyTest.KEY).withSends(5, Duration.ofMinutes(10)));
        try (TopologyFixture before = new TopologyFixture(hour, false)) {
            before.request("r1");
            before.cancel("r1");
            assertThat(count(numbers(before))).as("the send stays counted for its window").isEqualTo(1);
            try (TopologyFixture after = restart(before, tenMinutes)) {
                after.request(Fixtures.request("r2", after.now()).setPhoneNumber("+351910000002").build());
                after.cancel("r2");
                after.advance(Duration.ofMinutes(61));
                after.advance(Duration.ofSeconds(1)); // the driver runs one punctuation per advance
                assertThat(count(numbers(after))).isZero();
            }
        }
    }

    private static int count(KeyValueStore<String, NumberState> store) {
        int n = 0;
        try (KeyValueIterator<String, NumberState> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    /**
     * abuse.hmac-key rotated: verifications sent before it hold their number sealed under the old key for a resend by
     * a new send (the guide's way). Their resends must not be refused as unreadable records (dead-lettered, answered
     * FAILED only after the permit timeout, for as long as the old codes live): they go out by E-goi's id, as for a
     * verification that keeps no sealed number.
     */
    @ParameterizedTest(name = "guard issues commands: {0}")
    @ValueSource(booleans = {false, true})
    void aResendAfterTheNumberKeyChangedGoesOutWithoutTheOldSealedNumber(boolean guardIssues) {
        try (TopologyFixture before = new TopologyFixture(limited(OLD_KEY, guardIssues), false)) {
            before.request("r1");
            before.result(before.command(), SENT);
            assertThat(before.verifications().get("r1").resendSeed()).isNotNull();
            try (TopologyFixture after = restart(before, limited(AbuseTopologyTest.KEY, guardIssues))) {
                after.advance(ResendPolicy.DEFAULT.cooldown());
                after.resend("r1");
                assertThat(after.deadLetters.isEmpty()).isTrue();
                VerificationCommand resend = after.command();
                assertThat(resend.getAction()).isInstanceOfSatisfying(ResendCode.class, r -> {
                    assertThat(r.getProviderRequestId()).isEqualTo("egoi-r1");
                    assertThat(r.getNewSend()).isNull();
                });
                after.result(resend, SENT);
                assertThat(after.sent.readValue().getSendCount()).isEqualTo(2);
            }
        }
    }

    /**
     * TTL, code size, attempts and resend limits lowered: a verification keeps the ones it was admitted with (stored
     * in its state) until it ends; only new requests are judged by the new bounds.
     */
    @Test
    void loweredLimitsApplyToNewRequestsOnly() {
        LifecycleConfig d = LifecycleConfig.defaults();
        LifecycleConfig lowered = new LifecycleConfig(d.applicationId(), Duration.ofSeconds(60), Duration.ofSeconds(30),
                Duration.ofSeconds(120), 6, 4, 6, CodeType.NUMERIC, 2, 3, d.sendDeadline(), d.resultGrace(),
                d.retention(), d.pendingCancelMemory(), d.punctuationInterval(), d.maxDuePerPunctuation(),
                d.maxMessageLength(), d.maxMetadataBytes(), d.maxRememberedSubmissions(), d.senderProfiles(),
                d.defaultMessage(), d.standbyReplicas()).withResend(new ResendPolicy(Duration.ofMinutes(5), 1));
        try (TopologyFixture before = new TopologyFixture(d, false)) {
            before.request(Fixtures.request("r1", before.now()).setTtlSeconds(600).setCodeSize(8).setMaxAttempts(10)
                    .build());
            before.result(before.command(), SENT);
            try (TopologyFixture after = restart(before, lowered)) {
                after.submit("r1", "s1", "12345678");
                VerificationCommand check = after.command();
                assertThat(check.getAction()).isInstanceOf(CheckCode.class);
                after.result(check, WRONG_CODE);
                CodeRejected wrong = after.rejected.readValue();
                assertThat(wrong.getAttemptsRemaining()).as("maxAttempts 10, as admitted").isEqualTo(9);

                after.advance(Duration.ofSeconds(30));
                after.resend("r1");
                VerificationCommand resend = after.command();
                assertThat(resend.getAction()).as("cooldown 30 s and 3 codes, as admitted")
                        .isInstanceOf(ResendCode.class);
                after.result(resend, SENT);
                assertThat(after.sent.readValue().getExpiresAt()).as("TTL 600 s, as admitted")
                        .isEqualTo(after.now().plusSeconds(600));

                after.request(Fixtures.request("r2", after.now()).setTtlSeconds(600).build());
                assertThat(after.failed.readValue().getReason()).isEqualTo(FailureReason.INVALID_REQUEST);

                after.advance(Duration.ofSeconds(599));
                assertThat(after.expired.isEmpty()).isTrue();
                after.advance(Duration.ofSeconds(2));
                assertThat(after.expired.readValue().getRequestId()).isEqualTo("r1");
            }
        }
    }

    /**
     * lifecycle.guard-issues-commands true → false during a rolling restart: a permit request written with its
     * command by an instance still on the old setting is answered by the guard (whatever its own setting) with that
     * command, and the lifecycle on the new setting moves on without issuing a second one.
     */
    @Test
    void guardIssuingTurnedOffMeetsAPermitRequestThatCarriesItsCommand() {
        LifecycleConfig on = limited(AbuseTopologyTest.KEY, true);
        LifecycleConfig off = limited(AbuseTopologyTest.KEY, false);
        var step = new Lifecycle(on).apply(null, new Input.Requested(Fixtures.request("r1", Fixtures.T0).build()),
                Fixtures.T0);
        NumberNotice carrying = step.outputs().stream().filter(o -> o instanceof Output.Notify)
                .map(o -> ((Output.Notify) o).notice()).findFirst().orElseThrow();
        try (TopologyFixture f = new TopologyFixture(off, false)) {
            adopt(f, "r1", step.state());
            f.driver.createInputTopic(LifecycleTopology.permitTopic(off), new StringSerializer(),
                    GuardSerdes.notices().serializer()).pipeInput(carrying.numberHash(), carrying, f.now());
            List<VerificationCommand> commands = f.commands.readValuesToList();
            assertThat(commands).singleElement().satisfies(c -> assertThat(c.getAction()).isInstanceOf(SendCode.class));
            assertThat(f.verifications().get("r1").status()).isEqualTo(Status.SENDING);
            f.result(commands.get(0), SENT);
            assertThat(f.sent.readValue().getRequestId()).isEqualTo("r1");
            f.submit("r1", "s1", "123456");
            f.result(f.command(), VERIFIED);
            assertThat(f.verified.readValue().getRequestId()).isEqualTo("r1");
            assertThat(f.deadLetters.isEmpty()).isTrue();
        }
    }

    /**
     * lifecycle.application-id (or topics.prefix) changed in place: the new application id is a new consumer group
     * with new changelogs, so the lifecycle starts with no state and (auto.offset.reset=earliest, Kafka Streams'
     * default) reads the retained inputs again. What that does to a verification that already ended, and to one
     * requested moments before.
     */
    @Test
    void aNewApplicationIdStartsWithoutStateAndReadsTheInputsAgain() {
        try (TopologyFixture before = new TopologyFixture(LifecycleConfig.defaults(), false)) {
            var done = Fixtures.request("done", before.now()).build();
            before.request(done);
            before.result(before.command(), SENT);
            before.submit("done", "s1", "123456");
            before.result(before.command(), VERIFIED);
            assertThat(before.verified.readValue().getRequestId()).isEqualTo("done");
            before.advance(Duration.ofSeconds(40));
            var young = Fixtures.request("young", before.now()).build();
            before.request(young);
            assertThat(before.command().getAction()).isInstanceOf(SendCode.class);

            try (TopologyFixture renamed = new TopologyFixture(LifecycleConfig.defaults()
                    .withApplicationId("egoi-verify-lifecycle-2"), false)) {
                renamed.advance(Duration.ofSeconds(45));
                renamed.requested.pipeInput("done", done, Fixtures.T0);
                renamed.requested.pipeInput("young", young, Fixtures.T0.plusSeconds(40));
                renamed.submitted.pipeInput("done", Fixtures.submit("done", "s1", "123456", Fixtures.T0));
                VerificationFailed second = renamed.failed.readValue();
                assertThat(second.getRequestId()).as("a second terminal outcome for a verified requestId")
                        .isEqualTo("done");
                assertThat(second.getReason()).isEqualTo(FailureReason.PROVIDER_UNAVAILABLE);
                assertThat(renamed.command().getAction()).as("a second SMS for the young request")
                        .isInstanceOfSatisfying(SendCode.class, s -> assertThat(s.getPhoneNumber())
                                .isEqualTo(Fixtures.PHONE));
                assertThat(renamed.rejected.readValue().getReason()).isEqualTo(RejectReason.FAILED);
            }
        }
    }

    /**
     * profile.promo removed (from the lifecycle and the workers, one ConfigMap) while its verifications are live: the
     * lifecycle still issues their commands under the stored profile name, and the worker answers each REJECTED
     * ("unknown sender profile") without a call. Every one still ends: a send fails PROVIDER_REJECTED, a check is not
     * judged (CodeRejected FAILED, no attempt counted) until the code expires.
     */
    @Test
    void aRemovedProfilesVerificationsStillEnd() {
        LifecycleConfig two = LifecycleConfig.defaults().withSenderProfiles(Set.of("default", "promo"));
        try (TopologyFixture before = new TopologyFixture(two, false)) {
            before.request(Fixtures.request("sent", before.now()).setSenderProfile("promo").build());
            before.result(before.command(), SENT);
            before.request(Fixtures.request("sending", before.now()).setSenderProfile("promo").build());
            VerificationCommand send = before.command();
            try (TopologyFixture after = restart(before, LifecycleConfig.defaults())) {
                after.result(send, REJECTED);
                VerificationFailed failed = after.failed.readValue();
                assertThat(failed.getRequestId()).isEqualTo("sending");
                assertThat(failed.getReason()).isEqualTo(FailureReason.PROVIDER_REJECTED);

                after.submit("sent", "s1", "123456");
                VerificationCommand check = after.command();
                assertThat(check.getSenderProfile()).isEqualTo("promo");
                after.result(check, REJECTED);
                CodeRejected notJudged = after.rejected.readValue();
                assertThat(notJudged.getReason()).isEqualTo(RejectReason.FAILED);
                assertThat(notJudged.getAttemptsRemaining()).isEqualTo(5);

                after.request(Fixtures.request("new", after.now()).setSenderProfile("promo").build());
                assertThat(after.failed.readValue().getReason()).isEqualTo(FailureReason.INVALID_REQUEST);

                after.advance(Duration.ofSeconds(61));
                assertThat(after.expired.readValue().getRequestId()).isEqualTo("sent");
                assertThat(after.deadLetters.isEmpty()).isTrue();
            }
        }
    }
}
