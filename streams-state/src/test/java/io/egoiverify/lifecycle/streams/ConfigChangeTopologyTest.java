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
        }
        return f;
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
}
