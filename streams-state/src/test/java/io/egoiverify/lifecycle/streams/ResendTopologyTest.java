package io.egoiverify.lifecycle.streams;

import static io.egoiverify.internal.CommandStatus.SENT;
import static io.egoiverify.internal.CommandStatus.VERIFIED;
import static io.egoiverify.internal.CommandStatus.WRONG_CODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.NumberState;
import io.egoiverify.lifecycle.Status;
import io.egoiverify.lifecycle.VerificationState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Resend through the real topology: its input topic, the resend-rejected topic, commands, the deadline index. */
@Timeout(60)
class ResendTopologyTest {
    private static final Duration COOLDOWN = Duration.ofSeconds(30);

    private static VerificationCommand sendAndAnswer(TopologyFixture f, String providerId) {
        VerificationCommand c = f.command();
        VerificationCommandResult sent = Fixtures.result(c.getRequestId(), c.getCommandId(), SENT, f.now());
        sent.setProviderRequestId(providerId);
        f.results.pipeInput(c.getRequestId(), sent, f.now());
        return c;
    }

    private static ResendRejected onlyRejection(TopologyFixture f) {
        List<TestRecord<String, ResendRejected>> records = f.resendRejected.readRecordsToList();
        assertThat(records).hasSize(1);
        assertThat(records.get(0).getRecordTime()).isEqualTo(records.get(0).value().getOccurredAt());
        assertThat(records.get(0).key()).isEqualTo(records.get(0).value().getRequestId());
        return records.get(0).value();
    }

    @Test
    void aResendRoundTrip() {
        try (TopologyFixture f = new TopologyFixture(LifecycleConfig.defaults())) {
            f.request("r1");
            sendAndAnswer(f, "egoi-1");
            assertThat(f.sent.readValue().getSendCount()).isEqualTo(1);
            f.advance(Duration.ofSeconds(10));
            f.resend("r1");
            ResendRejected early = onlyRejection(f);
            assertThat(early.getReason()).isEqualTo(ResendRejectReason.COOLDOWN);
            assertThat(early.getRetryAfterSeconds()).isEqualTo(20);
            assertThat(early.getMetadata()).containsEntry("user", "u-1");
            f.advance(Duration.ofSeconds(20));
            f.resend("r1");
            VerificationCommand resend = sendAndAnswer(f, "egoi-2");
            assertThat(resend.getAction()).isInstanceOfSatisfying(ResendCode.class, r -> {
                assertThat(r.getProviderRequestId()).isEqualTo("egoi-1");
                assertThat(r.getSendCount()).isEqualTo(2);
            });
            VerificationSent second = f.sent.readValue();
            assertThat(second.getSendCount()).isEqualTo(2);
            assertThat(second.getProviderRequestId()).isEqualTo("egoi-2");
            Instant expiresAt = f.now().plusSeconds(60);
            assertThat(second.getExpiresAt()).isEqualTo(expiresAt);
            // The deadline index moved with the new code.
            assertThat(f.deadlineEntries()).singleElement().satisfies(e -> assertThat(e.key)
                    .isEqualTo(DeadlineKeys.key(expiresAt, "r1")));
            // The old code is not checked any more: a check goes to the new id.
            f.submit("r1", "s1", "123456");
            VerificationCommand check = f.command();
            assertThat(((CheckCode) check.getAction()).getProviderRequestId()).isEqualTo("egoi-2");
            f.result(check, VERIFIED);
            assertThat(f.verified.readValue().getAttemptsUsed()).isEqualTo(1);
            f.resend("r1");
            assertThat(onlyRejection(f).getReason()).isEqualTo(ResendRejectReason.NOT_ACTIVE);
            assertThat(f.commands.isEmpty()).isTrue();
        }
    }

    @Test
    void theNewCodeExpiresOnItsOwnDeadline() {
        try (TopologyFixture f = new TopologyFixture(LifecycleConfig.defaults())) {
            f.request("r1");
            sendAndAnswer(f, "egoi-1");
            f.advance(Duration.ofSeconds(40));
            f.resend("r1");
            sendAndAnswer(f, "egoi-2");
            // The first code's expiry (60 s after T0) passes: nothing happens.
            f.advance(Duration.ofSeconds(25));
            assertThat(f.expired.isEmpty()).isTrue();
            assertThat(f.verifications().get("r1").status()).isEqualTo(Status.SENT);
            // The new one's (100 s after T0) does.
            f.advance(Duration.ofSeconds(40));
            assertThat(f.expired.readValue().getRequestId()).isEqualTo("r1");
        }
    }

    @Test
    void unknownAndEndedVerificationsAreAnsweredOnTheResendTopic() {
        try (TopologyFixture f = new TopologyFixture(LifecycleConfig.defaults())) {
            f.resend("nobody");
            ResendRejected unknown = onlyRejection(f);
            assertThat(unknown.getReason()).isEqualTo(ResendRejectReason.UNKNOWN_REQUEST);
            assertThat(unknown.getMetadata()).isEmpty();
            assertThat(f.verifications().get("nobody")).isNull();
            f.request("r1");
            f.resend("r1");
            assertThat(onlyRejection(f).getReason()).isEqualTo(ResendRejectReason.NOT_SENT_YET);
        }
    }

    @Test
    void aResendWithAKeyThatIsNotItsRequestIdIsDeadLettered() {
        try (TopologyFixture f = new TopologyFixture(LifecycleConfig.defaults())) {
            f.resendRequested.pipeInput("someone-else", Fixtures.resend("r1", f.now()), f.now());
            var dead = f.deadLetters.readRecordsToList();
            assertThat(dead).hasSize(1);
            assertThat(new String(dead.get(0).headers().lastHeader("__streams.errors.topic").value(),
                    StandardCharsets.UTF_8)).isEqualTo("verification.resend-requested");
            assertThat(f.resendRejected.isEmpty()).isTrue();
        }
    }

    @Test
    void withPerNumberLimitsAResendIsCountedByTheGuard() {
        LifecycleConfig config = LifecycleConfig.defaults().withAbuse(AbuseLimits.defaults(AbuseTopologyTest.KEY)
                .withSends(2, Duration.ofHours(1)));
        try (TopologyFixture f = new TopologyFixture(config)) {
            f.request("r1");
            sendAndAnswer(f, "egoi-1");
            f.advance(COOLDOWN);
            f.resend("r1");
            VerificationCommand resend = sendAndAnswer(f, "egoi-2");
            ResendCode action = (ResendCode) resend.getAction();
            // The guide's API resends by a new send: the command carries it, the number unsealed for it.
            assertThat(action.getNewSend().getPhoneNumber()).isEqualTo(Fixtures.PHONE);
            assertThat(resend.getCommandId()).startsWith("r1/resend-2/");
            assertThat(f.sent.readValuesToList()).extracting(VerificationSent::getSendCount).containsExactly(1, 2);
            f.advance(COOLDOWN);
            f.resend("r1");
            ResendRejected limited = onlyRejection(f);
            assertThat(limited.getReason()).isEqualTo(ResendRejectReason.RATE_LIMITED);
            assertThat(limited.getRetryAfterSeconds()).as("the code expires before the window slides: 0")
                    .isZero();
            assertThat(f.verifications().get("r1").status()).isEqualTo(Status.SENT);
            // Wrong codes are not reset, and nothing in the stores holds the number in clear.
            f.submit("r1", "s1", "123456");
            f.result(f.command(), WRONG_CODE);
            assertThat(f.rejected.readValue().getAttemptsRemaining()).isEqualTo(4);
            assertNoPlainNumber(f);
        }
    }

    private static void assertNoPlainNumber(TopologyFixture f) {
        StateSerde serde = new StateSerde();
        try (KeyValueIterator<String, VerificationState> it = f.verifications().all()) {
            while (it.hasNext()) {
                KeyValue<String, VerificationState> kv = it.next();
                assertThat(new String(serde.serialize("t", kv.value), StandardCharsets.UTF_8))
                        .doesNotContain("910000000");
            }
        }
        KeyValueStore<String, NumberState> numbers = f.driver.getKeyValueStore(LifecycleTopology.NUMBERS_STORE);
        try (KeyValueIterator<String, NumberState> it = numbers.all()) {
            it.forEachRemaining(kv -> assertThat(kv.key + kv.value).doesNotContain("910000000"));
        }
        KeyValueStore<Bytes, byte[]> index = f.driver.getKeyValueStore(LifecycleTopology.DEADLINES_STORE);
        assertThat(index.approximateNumEntries()).isEqualTo(1);
    }
}
