package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.RejectReason;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.Status;
import io.egoiverify.lifecycle.VerificationState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What clients send never grows a stored state without bound: a state value larger than the changelog's record limit
 * (1 MB by default) fails its task with RecordTooLargeException on every retry.
 */
@Timeout(60)
class StateBoundsTest {
    /** SUBMISSION_ID_LIMIT, the documented limit. */
    private static final int SUBMISSION_ID_LIMIT = 128;
    /** LifecycleConfig.CANCEL_REASON_MAX_LENGTH. */
    private static final int CANCEL_REASON_LIMIT = 200;
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
            f.submit("r1", "x".repeat(400_000) + i, Fixtures.SECRET_CODE);
        }
        assertThat(storedBytes("r1")).as("bytes of the stored state").isEqualTo(pending);
        for (int i = 0; i < 3; i++) {
            CodeRejected rejected = f.rejected.readValue();
            assertThat(rejected.getSubmissionId()).isEqualTo("x".repeat(400_000) + i);
            assertThat(rejected.getReason()).isEqualTo(RejectReason.INVALID_CODE);
            assertThat(rejected.getAttemptsRemaining()).isZero();
        }
        // The limit itself is remembered as before.
        String longest = "y".repeat(SUBMISSION_ID_LIMIT);
        f.submit("r1", longest, Fixtures.SECRET_CODE);
        assertThat(f.rejected.readValue().getReason()).isEqualTo(RejectReason.CANCELLED);
        assertThat(f.verifications().get("r1").otherSubmissions()).containsExactly(longest);
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
