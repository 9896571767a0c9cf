package io.egoiverify.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.VerificationSent;
import io.egoiverify.internal.CommandStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The worker's {@code callStartedAt} comes from the worker's clock, the lifecycle decides on its own: the code's
 * {@code expiresAt} (and the resend cooldown) is the call start plus the TTL. A call starts after its command was
 * issued and before its result is folded, both on the lifecycle's clock, so a start reported outside that window is
 * the two clocks disagreeing, not the call.
 */
class ClockSkewTest {
    private static final Duration TTL = LifecycleConfig.defaults().defaultTtl();
    /** Command hop + the call's start on the worker, on the lifecycle's clock. */
    private static final Duration START = Duration.ofMillis(200);
    /** Until the result is folded. */
    private static final Duration FOLD = Duration.ofMillis(300);

    /** A first send whose call started {@link #START} after the issue, reported by a worker {@code skew} ahead. */
    private static Harness sentBy(Duration skew) {
        Harness h = new Harness();
        h.request();
        Instant issuedAt = h.lastCommand.getIssuedAt();
        h.advance(FOLD);
        return h.result(CommandStatus.SENT, "egoi-1", issuedAt.plus(START).plus(skew));
    }

    private static VerificationSent sent(Harness h) {
        return h.last.stream().filter(o -> o instanceof Output.Publish p && p.event() instanceof VerificationSent)
                .map(o -> (VerificationSent) ((Output.Publish) o).event()).findFirst().orElseThrow();
    }

    @Test
    void aWorkerAMinuteBehindDoesNotExpireTheCodeItJustSent() {
        Harness h = sentBy(Duration.ofSeconds(-60));
        // Before: expiresAt = the reported start + 60 s, already past: VerificationSent and VerificationExpired in
        // one step, for an SMS the user just received and E-goi still accepts.
        assertThat(h.lastDescribed()).containsExactly("Sent");
        assertThat(h.status()).isEqualTo(Status.SENT);
        assertThat(sent(h).getExpiresAt()).isEqualTo(Fixtures.T0.plus(TTL));
    }

    @Test
    void aWorkerBehindShortensNoCode() {
        Harness h = sentBy(Duration.ofSeconds(-5));
        // Before: T0 + 55.2 s, 5 s before E-goi lets the code run out: a right code typed in the last 5 s EXPIRED.
        assertThat(sent(h).getExpiresAt()).as("from the issue: never after the call's real start")
                .isEqualTo(Fixtures.T0.plus(TTL));
    }

    @Test
    void aWorkerAheadLengthensNoCodeBeyondTheFold() {
        Harness h = sentBy(Duration.ofSeconds(5));
        // Before: T0 + 65.2 s (the start was before the deadline, so it was believed): the user was shown an expiry
        // 5 s after E-goi's.
        assertThat(sent(h).getExpiresAt()).as("the call started before its result was folded")
                .isEqualTo(Fixtures.T0.plus(FOLD).plus(TTL));
    }

    @Test
    void aWorkerWithinTheWindowIsTakenAtItsWord() {
        Harness h = sentBy(Duration.ofMillis(50));
        assertThat(sent(h).getExpiresAt()).isEqualTo(Fixtures.T0.plus(START).plusMillis(50).plus(TTL));
    }

    @Test
    void aResendReportedByAWorkerBehindKeepsItsCooldown() {
        Harness h = sentBy(Duration.ZERO);
        h.advance(Duration.ofSeconds(40)).resend();
        Instant issuedAt = h.lastCommand.getIssuedAt();
        h.advance(FOLD).result(CommandStatus.SENT, "egoi-2", issuedAt.plus(START).minusSeconds(30));
        assertThat(h.state.sendCount()).isEqualTo(2);
        assertThat(h.state.lastSendAt()).as("the cooldown runs from the resend's issue at the earliest")
                .isEqualTo(issuedAt);
        assertThat(h.state.expiresAt()).isEqualTo(issuedAt.plus(TTL));
    }

    @Test
    void aLifecycleClockSteppedBackBeforeTheResultTakesTheStartAsTheFold() {
        Harness h = new Harness();
        h.request();
        Instant issuedAt = h.lastCommand.getIssuedAt();
        h.now = issuedAt.minus(Duration.ofMinutes(10)); // this instance's clock stepped back (or a task moved)
        h.result(CommandStatus.SENT, "egoi-1", issuedAt.plus(START));
        // The only bound left on this clock is the fold itself: the code runs out a TTL from now, as E-goi's does.
        assertThat(sent(h).getExpiresAt()).isEqualTo(h.now.plus(TTL));
    }

    @Test
    void aStepBackMakesNothingDueEarlyAndTheVerificationStillEndsOnce() {
        Harness h = sentBy(Duration.ZERO);
        Instant expiresAt = h.state.expiresAt();
        h.now = h.now.minus(Duration.ofMinutes(10)); // stepped back
        h.tick();
        assertThat(h.last).as("nothing is due on this clock").isEmpty();
        h.now = expiresAt.minusMillis(1);
        h.tick();
        assertThat(h.last).isEmpty();
        h.now = expiresAt;
        h.tick();
        assertThat(h.lastDescribed()).containsExactly("Expired:0");
    }

    /**
     * A task moved to an instance whose clock is ahead: every instant in the state is read on the new clock, so the
     * code expires early by the skew (and a cooldown or a per-number window ends early by as much). Nothing throws,
     * nothing ends twice.
     */
    @Test
    void anInstanceAheadExpiresTheCodeEarlyByItsSkew() {
        Harness h = sentBy(Duration.ZERO);
        Instant expiresAt = h.state.expiresAt();
        Duration skew = Duration.ofSeconds(5);
        Instant firstInstance = expiresAt.minus(skew); // 5 s left on the clock of the instance that sent it
        h.now = firstInstance.plus(skew); // the new owner's clock, 5 s ahead
        h.tick();
        assertThat(h.lastDescribed()).containsExactly("Expired:0");
        h.advance(Duration.ofSeconds(1)).tick();
        assertThat(h.last).isEmpty();
    }

    @Test
    void aLifecycleAheadOfTheClientByTheSendDeadlineFailsTheRequestWithoutASend() {
        Harness h = new Harness();
        // requestedAt is the client's clock: the send deadline counts from it, so that a backlog sends no stale SMS.
        // A client (or a lifecycle) 30 s off cannot be told from a request that waited 30 s.
        h.request(Fixtures.request(Harness.ID, h.now.minus(LifecycleConfig.defaults().sendDeadline())).build());
        assertThat(h.lastDescribed()).containsExactly("Failed:PROVIDER_UNAVAILABLE");
        assertThat(h.lastCommand).isNull();
    }
}
