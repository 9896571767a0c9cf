package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.FailureReason;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.Harness;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.Output;
import io.egoiverify.lifecycle.Status;
import io.egoiverify.lifecycle.VerificationState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What clients send never grows a stored state without bound: a state value larger than the changelog's record limit
 * (1 MB by default) fails its task with RecordTooLargeException on every retry.
 */
@Timeout(60)
class StateBoundsTest {
    /** LifecycleConfig.SUBMISSION_ID_MAX_LENGTH. */
    private static final int SUBMISSION_ID_LIMIT = 128;
    /** LifecycleConfig.ID_HARD_MAX_LENGTH. */
    private static final int ID_HARD_LIMIT = 1_024;
    /** LifecycleConfig.CANCEL_REASON_MAX_LENGTH. */
    private static final int CANCEL_REASON_LIMIT = 200;
    /** LifecycleConfig.CHECKED_SUBMISSIONS_KEPT. */
    private static final int CHECKED_KEPT = 500;
    private final StateSerde serde = new StateSerde();
    private final TopologyFixture f = new TopologyFixture(LifecycleConfig.defaults());

    @AfterEach
    void close() {
        f.close();
    }

    private int storedBytes(String requestId) {
        return serde.serialize("t", f.verifications().get(requestId)).length;
    }

    @Test
    void anOverlongSubmissionIdIsAnsweredButNeverStored() {
        // A cancel for any id is remembered (CANCEL_PENDING); every submission for it used to be remembered too.
        f.cancel("r1");
        int pending = storedBytes("r1");
        for (int i = 0; i < 3; i++) {
            f.submit("r1", "x".repeat(ID_HARD_LIMIT - 1) + i, Fixtures.SECRET_CODE);
        }
        assertThat(storedBytes("r1")).as("bytes of the stored state").isEqualTo(pending);
        for (int i = 0; i < 3; i++) {
            CodeRejected rejected = f.rejected.readValue();
            assertThat(rejected.getSubmissionId()).isEqualTo("x".repeat(ID_HARD_LIMIT - 1) + i);
            assertThat(rejected.getReason()).isEqualTo(RejectReason.INVALID_CODE);
            assertThat(rejected.getAttemptsRemaining()).isZero();
        }
        // The limit itself is remembered as before.
        String longest = "y".repeat(SUBMISSION_ID_LIMIT);
        f.submit("r1", longest, Fixtures.SECRET_CODE);
        assertThat(f.rejected.readValue().getReason()).isEqualTo(RejectReason.CANCELLED);
        assertThat(f.verifications().get("r1").otherSubmissions()).containsExactly(longest);
    }

    /**
     * Ids no answer can carry: echoed in an outcome (the requestId as its key too) or stored in a state, an id near
     * the 1 MiB record limit made a record the producer refused for good (LifecycleServiceIT, "AsLargeAsTheRecord
     * Limit"). They are dead-lettered before anything is stored or answered, on every input topic.
     */
    @Test
    void idsLongerThanAnyAnswerCanCarryAreDeadLettered() {
        f.request("r1");
        String longId = "x".repeat(ID_HARD_LIMIT + 1);
        f.submit("r1", longId, Fixtures.SECRET_CODE);
        f.cancel(longId);
        f.submit(longId, "s1", Fixtures.SECRET_CODE);
        f.resendRequested.pipeInput(longId, Fixtures.resend(longId, f.now()), f.now());
        f.requested.pipeInput(longId, Fixtures.request(longId, f.now()).build(), f.now());

        var dead = f.deadLetters.readRecordsToList();
        assertThat(dead).extracting(r -> header(r.headers(), "__streams.errors.message")).containsExactly(
                "submissionId is longer than 1024 characters", "requestId is longer than 1024 characters",
                "requestId is longer than 1024 characters", "requestId is longer than 1024 characters",
                "requestId is longer than 1024 characters");
        assertThat(f.rejected.isEmpty()).isTrue();
        assertThat(f.failed.isEmpty()).isTrue();
        assertThat(f.resendRejected.isEmpty()).isTrue();
        assertThat(f.verifications().get(longId)).isNull();
        // At the limit both are answered as before: INVALID_CODE, INVALID_REQUEST.
        String atLimit = "y".repeat(ID_HARD_LIMIT);
        f.submit("r1", atLimit, Fixtures.SECRET_CODE);
        assertThat(f.rejected.readValue().getSubmissionId()).isEqualTo(atLimit);
        f.request(atLimit);
        assertThat(f.failed.readValue().getReason()).isEqualTo(FailureReason.INVALID_REQUEST);
        assertThat(f.deadLetters.isEmpty()).isTrue();
    }

    /**
     * A result whose call start is after its command's deadline and after now (no call starts then; a rogue producer
     * on the results topic): Long.MAX_VALUE millis made an expiry beyond what epoch millis hold, so storing the state
     * threw ArithmeticException after the step had begun writing, and the task failed on the same result for ever.
     * The start is taken within [issuedAt, now] of the lifecycle's clock (ClockSkewTest): now here, and the issue for
     * one far in the past (a worker's clock behind, not a code that already ran out).
     */
    @Test
    void aResultWithACallStartOutsideItsCommandsWindowIsTakenAtTheWindowsEdge() {
        f.request("r1");
        VerificationCommand send = f.command();
        f.results.pipeInput("r1", VerificationCommandResult.newBuilder(Fixtures.result("r1", send.getCommandId(),
                CommandStatus.SENT, f.now())).setCallStartedAt(Instant.ofEpochMilli(Long.MAX_VALUE)).build(), f.now());
        assertThat(f.sent.readValue().getExpiresAt()).isEqualTo(f.now().plusSeconds(60));
        assertThat(f.verifications().get("r1").status()).isEqualTo(Status.SENT);

        f.request("r2");
        VerificationCommand early = f.command();
        f.results.pipeInput("r2", VerificationCommandResult.newBuilder(Fixtures.result("r2", early.getCommandId(),
                CommandStatus.SENT, f.now())).setCallStartedAt(Instant.ofEpochMilli(Long.MIN_VALUE)).build(), f.now());
        assertThat(f.sent.readValue().getExpiresAt()).isEqualTo(early.getIssuedAt().plusSeconds(60));
        assertThat(f.verifications().get("r2").status()).isEqualTo(Status.SENT);
    }

    private static String header(Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aLongCancelReasonIsCutBeforeItIsStoredOrEchoed() {
        String reason = "because ".repeat(40_000); // 320,000 characters
        String cut = reason.substring(0, CANCEL_REASON_LIMIT);
        // Remembered before the request, echoed when the request comes.
        f.cancelRequested.pipeInput("r1", Fixtures.cancel("r1", reason, f.now()), f.now());
        assertThat(f.verifications().get("r1").cancelReason()).as("the stored reason").hasSize(CANCEL_REASON_LIMIT)
                .isEqualTo(cut);
        assertThat(storedBytes("r1")).isLessThan(1_000);
        f.request("r1");
        assertThat(f.cancelled.readValue().getReason()).isEqualTo(cut);
        // A verification under way.
        f.request("r2");
        f.command();
        f.cancelRequested.pipeInput("r2", Fixtures.cancel("r2", reason, f.now()), f.now());
        assertThat(f.cancelled.readValue().getReason()).isEqualTo(cut);
        assertThat(f.verifications().get("r2").cancelReason()).isEqualTo(cut);
        // Never inside a surrogate pair; a reason at the limit is kept whole.
        String emoji = "a".repeat(CANCEL_REASON_LIMIT - 1) + "\uD83D\uDE00" + "b";
        f.cancelRequested.pipeInput("r3", Fixtures.cancel("r3", emoji, f.now()), f.now());
        assertThat(f.verifications().get("r3").cancelReason()).isEqualTo("a".repeat(CANCEL_REASON_LIMIT - 1));
        String atLimit = "c".repeat(CANCEL_REASON_LIMIT);
        f.cancelRequested.pipeInput("r4", Fixtures.cancel("r4", atLimit, f.now()), f.now());
        assertThat(f.verifications().get("r4").cancelReason()).isEqualTo(atLimit);
    }

    @Test
    void checksEGoiDoesNotJudgeKeepTheStateBounded() {
        // An E-goi outage: every check answers UNAVAILABLE, which uses up no attempt, so the submitter goes on with a
        // new submissionId. Each id had 128 characters of up to 3 UTF-8 bytes (the worst the limit allows).
        Harness h = new Harness();
        h.request(Fixtures.request(Harness.ID, h.now).setTtlSeconds(3600).build()).result(CommandStatus.SENT);
        for (int i = 0; i < 30_000; i++) {
            h.advance(Duration.ofMillis(100)).submit(checkedId(i), "123456").result(CommandStatus.UNAVAILABLE);
        }
        VerificationState state = h.state;
        assertThat(state.status()).isEqualTo(Status.SENT);
        assertThat(state.attemptsRemaining()).isEqualTo(5);
        assertThat(serde.serialize("t", state).length).as("bytes of the stored state")
                .isLessThan(CHECKED_KEPT * (4 + 3 * SUBMISSION_ID_LIMIT) + 1_000);
        // The most recent ids are still recognised: a redelivery of any of them is not checked again.
        assertThat(state.checkedSubmissions()).hasSize(CHECKED_KEPT).startsWith(checkedId(30_000 - CHECKED_KEPT))
                .endsWith(checkedId(29_999));
        h.submit(checkedId(29_999), "123456");
        assertThat(h.last).isEmpty();
        h.submit(checkedId(30_000 - CHECKED_KEPT), "123456");
        assertThat(h.last).isEmpty();
        // The verification still works; attemptsUsed counts up to the ids kept.
        h.submit("right", "123456");
        assertThat(h.lastDescribed()).containsExactly("Check");
        assertThat(h.lastCommand.getCommandId()).isEqualTo(Harness.ID + "/check-" + (CHECKED_KEPT + 1) + "/"
                + h.now.toEpochMilli());
        h.result(CommandStatus.VERIFIED);
        assertThat(h.status()).isEqualTo(Status.VERIFIED);
        assertThat(((VerificationVerified) ((Output.Publish) h.last.get(0)).event()).getAttemptsUsed())
                .isEqualTo(CHECKED_KEPT);
    }

    private static String checkedId(int i) {
        return String.format("%08d", i) + "\u20ac".repeat(SUBMISSION_ID_LIMIT - 8);
    }

    @Test
    void anOverlongSubmissionIdIsNeverChecked() {
        f.request("r1");
        f.result(f.command(), CommandStatus.SENT);
        String huge = "s".repeat(SUBMISSION_ID_LIMIT + 1);
        f.submit("r1", huge, Fixtures.SECRET_CODE);
        assertThat(f.commands.isEmpty()).as("no check").isTrue();
        CodeRejected rejected = f.rejected.readValue();
        assertThat(rejected.getReason()).isEqualTo(RejectReason.INVALID_CODE);
        assertThat(rejected.getAttemptsRemaining()).isEqualTo(5);
        VerificationState state = f.verifications().get("r1");
        assertThat(state.status()).isEqualTo(Status.SENT);
        assertThat(state.checkedSubmissions()).isEmpty();
        assertThat(state.otherSubmissions()).isEmpty();
    }
}
