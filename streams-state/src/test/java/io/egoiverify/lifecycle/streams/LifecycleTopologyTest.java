package io.egoiverify.lifecycle.streams;

import static io.egoiverify.internal.CommandStatus.SENT;
import static io.egoiverify.internal.CommandStatus.VERIFIED;
import static io.egoiverify.internal.CommandStatus.WRONG_CODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.FailureReason;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every flow of issue 3 through the real topology, with the wall clock moved by the test driver. */
@Timeout(60)
class LifecycleTopologyTest {
    private static final LifecycleConfig CONFIG = LifecycleConfig.defaults();
    private final TopologyFixture f = new TopologyFixture(CONFIG);

    @AfterEach
    void close() {
        f.close();
    }

    private VerificationCommand sendAndConfirm(String id) {
        f.request(id);
        VerificationCommand send = f.command();
        f.result(send, SENT);
        return send;
    }

    @Test
    void happyPathSendsChecksAndVerifies() {
        f.request("r1");
        TestRecord<String, VerificationCommand> send = f.commands.readRecord();
        assertThat(send.key()).isEqualTo("r1");
        assertThat(send.value().getAction()).isInstanceOf(SendCode.class);
        assertThat(send.value().getDeadline()).isEqualTo(f.now().plus(CONFIG.sendDeadline()));
        f.advance(Duration.ofSeconds(1));
        f.result(send.value(), SENT);
        TestRecord<String, VerificationSent> sent = f.sent.readRecord();
        assertThat(sent.value().getPhoneNumberMasked()).isEqualTo("+351*******00");
        assertThat(sent.value().getExpiresAt()).isEqualTo(f.now().plusSeconds(60));
        assertThat(sent.value().getMetadata()).isEqualTo(Map.of("user", "u-1"));
        assertThat(sent.getRecordTime()).isEqualTo(sent.value().getOccurredAt());
        f.submit("r1", "s1", "123456");
        VerificationCommand check = f.command();
        assertThat(((CheckCode) check.getAction()).getProviderRequestId()).isEqualTo("egoi-r1");
        f.result(check, VERIFIED);
        var verified = f.verified.readRecord();
        assertThat(verified.value().getAttemptsUsed()).isEqualTo(1);
        assertThat(verified.getRecordTime()).isEqualTo(verified.value().getOccurredAt());
        assertThat(f.rejected.isEmpty()).isTrue();
        assertThat(f.deadlineEntries()).hasSize(1); // only the purge after retention remains scheduled
    }

    @Test
    void wrongThenRightCode() {
        sendAndConfirm("r1");
        f.submit("r1", "s1", "111111");
        f.result(f.command(), WRONG_CODE);
        CodeRejected wrong = f.rejected.readValue();
        assertThat(wrong.getReason()).isEqualTo(RejectReason.WRONG_CODE);
        assertThat(wrong.getAttemptsRemaining()).isEqualTo(4);
        f.submit("r1", "s2", "123456");
        f.result(f.command(), VERIFIED);
        assertThat(f.verified.readValue().getAttemptsUsed()).isEqualTo(2);
    }

    @Test
    void wrongUntilLockout() {
        sendAndConfirm("r1");
        for (int i = 1; i <= 5; i++) {
            f.submit("r1", "s" + i, "11111" + i);
            f.result(f.command(), WRONG_CODE);
        }
        assertThat(f.rejected.readValuesToList()).extracting(CodeRejected::getAttemptsRemaining)
                .containsExactly(4, 3, 2, 1, 0);
        assertThat(f.failed.readValue().getReason()).isEqualTo(FailureReason.MAX_ATTEMPTS_REACHED);
        f.submit("r1", "s6", "123456");
        assertThat(f.rejected.readValue().getReason()).isEqualTo(RejectReason.TOO_MANY_ATTEMPTS);
        assertThat(f.commands.isEmpty()).isTrue();
    }

    @Test
    void expiresWhenNoCodeArrivesBeforeTtl() {
        sendAndConfirm("r1");
        f.advance(Duration.ofSeconds(59));
        assertThat(f.expired.isEmpty()).isTrue();
        f.advance(Duration.ofSeconds(2));
        var expired = f.expired.readRecord();
        assertThat(expired.value().getAttemptsUsed()).isZero();
        assertThat(expired.getRecordTime()).isEqualTo(expired.value().getOccurredAt());
        f.advance(CONFIG.retention());
        assertThat(f.verifications().get("r1")).isNull();
        assertThat(f.deadlineEntries()).isEmpty();
    }

    @Test
    void cancelBeforeSendDropsTheLateSendResult() {
        f.request("r1");
        VerificationCommand send = f.command();
        f.cancel("r1");
        assertThat(f.cancelled.readValue().getReason()).isEqualTo("changed my mind");
        f.result(send, SENT);
        assertThat(f.sent.isEmpty()).isTrue();
    }

    @Test
    void cancelAfterSendDropsTheLateCheckResult() {
        sendAndConfirm("r1");
        f.submit("r1", "s1", "123456");
        VerificationCommand check = f.command();
        f.cancel("r1");
        assertThat(f.cancelled.readValue().getMetadata()).containsEntry("user", "u-1");
        f.result(check, VERIFIED);
        assertThat(f.verified.isEmpty()).isTrue();
    }

    @Test
    void cancelBeforeTheRequestAnswersItWithoutAnSms() {
        f.cancel("r1");
        assertThat(f.cancelled.isEmpty()).isTrue();
        f.request("r1");
        assertThat(f.cancelled.readValue().getMetadata()).containsEntry("user", "u-1");
        assertThat(f.commands.isEmpty()).isTrue();
    }

    @Test
    void duplicateRequestSendsOneSms() {
        f.request("r1");
        f.request("r1");
        assertThat(f.commands.readValuesToList()).hasSize(1);
        assertThat(f.failed.isEmpty()).isTrue();
    }

    @Test
    void duplicateSubmissionIsCheckedOnce() {
        sendAndConfirm("r1");
        f.submit("r1", "s1", "123456");
        f.submit("r1", "s1", "123456");
        assertThat(f.commands.readValuesToList()).hasSize(1);
        assertThat(f.rejected.isEmpty()).isTrue();
    }

    @Test
    void secondCodeWhileACheckIsInFlight() {
        sendAndConfirm("r1");
        f.submit("r1", "s1", "123456");
        f.submit("r1", "s2", "654321");
        assertThat(f.commands.readValuesToList()).hasSize(1);
        CodeRejected busy = f.rejected.readValue();
        assertThat(busy.getSubmissionId()).isEqualTo("s2");
        assertThat(busy.getReason()).isEqualTo(RejectReason.CHECK_IN_PROGRESS);
    }

    @Test
    void lateProviderResultAfterExpiryIsDropped() {
        sendAndConfirm("r1");
        f.submit("r1", "s1", "123456");
        VerificationCommand check = f.command();
        f.advance(Duration.ofSeconds(60).plus(CONFIG.resultGrace()).plusSeconds(1));
        assertThat(f.expired.readValue().getAttemptsUsed()).isEqualTo(1);
        f.result(check, VERIFIED);
        assertThat(f.verified.isEmpty()).isTrue();
    }

    @Test
    void sendThatNeverCompletesFails() {
        f.request("r1");
        f.advance(CONFIG.sendDeadline().plus(CONFIG.resultGrace()).plusSeconds(1));
        VerificationFailed failed = f.failed.readValue();
        assertThat(failed.getReason()).isEqualTo(FailureReason.PROVIDER_UNAVAILABLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"phone", "codeType", "ttl", "message", "profile", "metadata", "requestId"})
    void invalidRequestFails(String kind) {
        var b = Fixtures.request("bad", f.now());
        switch (kind) {
            case "phone" -> b.setPhoneNumber("+0000");
            case "codeType" -> b.setCodeType(io.egoiverify.events.CodeType.UNKNOWN);
            case "ttl" -> b.setTtlSeconds(5);
            case "message" -> b.setMessage("no placeholder");
            case "profile" -> b.setSenderProfile("marketing");
            case "metadata" -> b.setMetadata(Map.of("blob", "x".repeat(5000)));
            default -> b.setRequestId("bad id!");
        }
        var r = b.build();
        f.requested.pipeInput(r.getRequestId(), r, f.now());
        VerificationFailed failed = f.failed.readValue();
        assertThat(failed.getReason()).isEqualTo(FailureReason.INVALID_REQUEST);
        assertThat(failed.getDetail()).startsWith("invalid request: ").doesNotContain("910000000");
        assertThat(f.commands.isEmpty()).isTrue();
    }

    @Test
    void recordsStampedWithANegativeTimestampAreProcessedLikeAnyOther() {
        // A producer that sets no timestamp (e.g. a non-Java client) writes -1. Kafka's default extractor threw before
        // any handler: the task failed on the record again and again, and Kafka logged the record (code, number).
        Instant none = Instant.ofEpochMilli(-1);
        f.requested.pipeInput("r1", Fixtures.request("r1", f.now()).build(), none);
        VerificationCommand send = f.command();
        assertThat(send.getAction()).isInstanceOf(SendCode.class);
        f.results.pipeInput("r1", Fixtures.result("r1", send.getCommandId(), SENT, f.now()), none);
        assertThat(f.sent.readValue().getPhoneNumberMasked()).isEqualTo("+351*******00");
        f.submitted.pipeInput("r1", Fixtures.submit("r1", "s1", Fixtures.SECRET_CODE, f.now()), none);
        VerificationCommand check = f.command();
        assertThat(check.getAction()).isInstanceOf(CheckCode.class);
        f.result(check, VERIFIED);
        assertThat(f.verified.readValue().getAttemptsUsed()).isEqualTo(1);
        f.request("r2");
        f.command();
        f.cancelRequested.pipeInput("r2", Fixtures.cancel("r2", "changed my mind", f.now()), none);
        assertThat(f.cancelled.readValue().getReason()).isEqualTo("changed my mind");
        f.resendRequested.pipeInput("r1", Fixtures.resend("r1", f.now()), none);
        assertThat(f.resendRejected.readValue().getReason()).isEqualTo(ResendRejectReason.NOT_ACTIVE);
        assertThat(f.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void unreadableRecordDoesNotBlockItsPartition() {
        // The built-in dead-letter records of the deserialization handler are not surfaced by the test driver:
        // DeadLetteringHandlersTest checks what the handler returns and LifecycleServiceIT sees them on a broker.
        f.rawRequested.pipeInput("r0".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 99, 1, 2});
        f.rawRequested.pipeInput("r0".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8));
        f.request("r1");
        assertThat(f.commands.readValuesToList()).hasSize(1);
        assertThat(f.verifications().get("r0")).isNull();
    }

    @Test
    void keyThatIsNotTheRequestIdIsDeadLettered() {
        var r = Fixtures.request("r1", f.now()).build();
        f.requested.pipeInput("someone-else", r, f.now());
        f.submitted.pipeInput(null, Fixtures.submit("r1", "s1", Fixtures.SECRET_CODE, f.now()), f.now());
        var dead = f.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(2);
        assertThat(header(dead.get(0).headers(), "__streams.errors.message")).contains("key does not equal");
        assertThat(header(dead.get(0).headers(), "__streams.errors.topic")).isEqualTo("verification.requested");
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("someone-else");
        assertThat(header(dead.get(1).headers(), "__streams.errors.topic")).isEqualTo("verification.code-submitted");
        assertThat(header(dead.get(1).headers(), "__streams.errors.message")).contains("record has no key");
        assertThat(f.commands.isEmpty()).isTrue();
        assertThat(f.verifications().get("r1")).isNull();
    }

    @Test
    void unreachableRegistryFailsInsteadOfDeadLettering() {
        f.topologyRegistry.down.set(true); // the topology has not cached any writer schema yet
        assertThatThrownBy(() -> f.request("r1")).hasStackTraceContaining("RegistryUnavailableException");
        assertThat(f.deadLetters.isEmpty()).isTrue();
        assertThat(f.commands.isEmpty()).isTrue();
    }

    private static String header(Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
