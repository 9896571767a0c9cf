package io.egoiverify.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.FailureReason;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lifecycle's side of per-number limits: AWAITING_PERMIT, verdicts, notices to the guard. Most tests run the
 * lifecycle issuing the granted send itself ({@link #CONFIG}, lifecycle.guard-issues-commands=false: the previous
 * release's protocol); the {@code guard…} tests run the default, the number guard issuing it ({@link #GUARD_ISSUES}).
 */
@Timeout(10)
class AbuseLifecycleTest {
    /** Per-number limits, the lifecycle issuing the granted send on the verdict. */
    static final LifecycleConfig CONFIG = LifecycleConfig.defaults()
            .withAbuse(AbuseLimits.defaults(NumberGuardTest.KEY)).withGuardIssuesCommands(false);
    /** Per-number limits, the number guard issuing the granted send (the default). */
    static final LifecycleConfig GUARD_ISSUES = CONFIG.withGuardIssuesCommands(true);
    private static final Duration PERMIT_DEADLINE = CONFIG.abuse().permitTimeout();
    private static final Duration GIVE_UP = PERMIT_DEADLINE.plus(CONFIG.resultGrace());

    private final Harness h = new Harness(CONFIG);

    private NumberNotice notice(int index) {
        return ((Output.Notify) h.last.get(index)).notice();
    }

    private Harness verdict(PermitVerdict.Kind kind, String limit) {
        return h.apply(new Input.Verdict(new PermitVerdict(Harness.ID, h.state.permitId(), kind, limit)));
    }

    @Test
    void aValidRequestWaitsForItsPermitWithTheNumberHashedAndSealed() {
        h.request();
        assertThat(h.status()).isEqualTo(Status.AWAITING_PERMIT);
        NumberNotice n = notice(0);
        assertThat(n.kind()).isEqualTo(NumberNotice.Kind.PERMIT_REQUEST);
        assertThat(n.numberHash()).isEqualTo(new NumberKeys(NumberGuardTest.KEY).hash(Fixtures.PHONE)).hasSize(64);
        assertThat(n.toString()).doesNotContain("910000000");
        assertThat(h.state.toString()).doesNotContain("910000000");
        assertThat(h.state.wakeAt()).isEqualTo(Fixtures.T0.plus(CONFIG.abuse().permitTimeout()));
        h.submit();
        assertThat(h.lastDescribed()).containsExactly("Rejected:NOT_SENT_YET:5");
    }

    @Test
    void grantedIssuesTheSendWithTheNumber() {
        h.request().advance(Duration.ofMillis(40));
        verdict(PermitVerdict.Kind.GRANTED, null);
        assertThat(h.status()).isEqualTo(Status.SENDING);
        assertThat(h.state.pendingSend()).isNull();
        assertThat(((SendCode) h.lastCommand.getAction()).getPhoneNumber()).isEqualTo(Fixtures.PHONE);
        assertThat(h.lastCommand.getDeadline()).isEqualTo(Fixtures.T0.plus(CONFIG.sendDeadline()));
        // A replayed verdict does nothing.
        verdict(PermitVerdict.Kind.GRANTED, null);
        assertThat(h.last).isEmpty();
    }

    @Test
    void refusedFailsRateLimitedNamingTheLimit() {
        h.request();
        verdict(PermitVerdict.Kind.REFUSED, "sends-per-number (at most 5 codes sent to one number per 1 h)");
        assertThat(h.status()).isEqualTo(Status.FAILED);
        VerificationFailed f = (VerificationFailed) ((Output.Publish) h.last.get(0)).event();
        assertThat(f.getReason()).isEqualTo(FailureReason.RATE_LIMITED);
        assertThat(f.getDetail())
                .isEqualTo("rate limited: sends-per-number (at most 5 codes sent to one number per 1 h)")
                .doesNotContain("910000000");
        assertThat(notice(1).kind()).isEqualTo(NumberNotice.Kind.ENDED);
    }

    @Test
    void noVerdictBeforeThePermitTimeoutFails() {
        h.request().advance(CONFIG.abuse().permitTimeout()).tick();
        assertThat(h.lastDescribed()).containsExactly("Failed:PROVIDER_UNAVAILABLE", "Notify:ENDED");
        // A verdict after that is dropped: no SMS.
        verdict(PermitVerdict.Kind.GRANTED, null);
        assertThat(h.last).isEmpty();
    }

    @Test
    void aVerdictForAnotherPermitIsDropped() {
        h.request();
        h.apply(new Input.Verdict(new PermitVerdict(Harness.ID, "req-1/permit/1", PermitVerdict.Kind.GRANTED, null)));
        assertThat(h.last).isEmpty();
        assertThat(h.status()).isEqualTo(Status.AWAITING_PERMIT);
    }

    @Test
    void supersededCancelsAnOpenVerification() {
        h.request();
        verdict(PermitVerdict.Kind.GRANTED, null).result(CommandStatus.SENT);
        verdict(PermitVerdict.Kind.SUPERSEDED, null);
        assertThat(h.status()).isEqualTo(Status.CANCELLED);
        // Cancelled at E-goi too (best effort), then here.
        assertThat(h.lastDescribed()).containsExactly("CancelAtEgoi", "Cancelled", "Notify:ENDED");
        VerificationCancelled c = (VerificationCancelled) ((Output.Publish) h.last.get(1)).event();
        assertThat(c.getReason()).contains("superseded");
        assertThat(notice(2).kind()).isEqualTo(NumberNotice.Kind.ENDED);
    }

    @Test
    void wrongCodesAndTheEndAreReportedToTheGuard() {
        h.request();
        verdict(PermitVerdict.Kind.GRANTED, null).result(CommandStatus.SENT);
        h.submit().result(CommandStatus.WRONG_CODE);
        assertThat(h.lastDescribed()).containsExactly("Rejected:WRONG_CODE:4", "Notify:FAILED_CHECK");
        h.submit().result(CommandStatus.VERIFIED);
        assertThat(h.lastDescribed()).containsExactly("Verified:2", "Notify:ENDED");
        // Nothing more after the end.
        h.advance(Duration.ofDays(2)).tick();
        assertThat(h.last).isEmpty();
    }

    @Test
    void cancelWhileAwaitingThePermitSendsNothing() {
        h.request().cancel();
        assertThat(h.lastDescribed()).containsExactly("Cancelled", "Notify:ENDED");
        verdict(PermitVerdict.Kind.GRANTED, null);
        assertThat(h.last).isEmpty();
        assertThat(h.all.stream().filter(o -> o instanceof Output.Issue)).isEmpty();
    }

    @Test
    void withoutANumberKeyNothingChanges() {
        Harness plain = new Harness();
        plain.request();
        assertThat(plain.lastDescribed()).containsExactly("Send");
        assertThat(plain.state.numberHash()).isNull();
    }

    @Test
    void sealedNumbersNeedTheSameKeyAndRequest() {
        NumberKeys keys = new NumberKeys(NumberGuardTest.KEY);
        String sealed = keys.seal("r1", Fixtures.PHONE);
        assertThat(sealed).doesNotContain("910000000");
        assertThat(keys.unseal("r1", sealed)).isEqualTo(Fixtures.PHONE);
        assertThat(keys.seal("r1", Fixtures.PHONE)).as("deterministic").isEqualTo(sealed);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> keys.unseal("r2", sealed))
                .isInstanceOf(IllegalStateException.class);
        NumberKeys other = new NumberKeys("fedcba9876543210fedcba9876543210".getBytes());
        assertThat(other.hash(Fixtures.PHONE)).isNotEqualTo(keys.hash(Fixtures.PHONE));
        assertThat(List.of(keys.toString(), CONFIG.abuse().toString())).noneMatch(t -> t.contains("0123456789"));
    }

    @Test
    void rejectionReasonsAreUnchangedForOtherStates() {
        h.request();
        verdict(PermitVerdict.Kind.REFUSED, "sends-per-number");
        h.submit();
        CodeRejected r = (CodeRejected) ((Output.Publish) h.last.get(0)).event();
        assertThat(r.getReason()).isEqualTo(RejectReason.FAILED);
    }

    private final Harness g = new Harness(GUARD_ISSUES);

    private Harness guardVerdict(Harness on, PermitVerdict.Kind kind, boolean issued) {
        return on.apply(new Input.Verdict(new PermitVerdict(Harness.ID, on.state.permitId(), kind,
                kind == PermitVerdict.Kind.REFUSED ? "sends-per-number" : null, null, issued)));
    }

    /** The result of the send the guard issued (its id derived from the permit's), the call started at {@code at}. */
    private Harness guardResult(CommandStatus status, Instant at) {
        return g.result(CommandIds.granted(g.state.permitId()), status,
                status == CommandStatus.SENT ? "egoi-1" : null, at);
    }

    @Test
    void guardIssuingTheRequestCarriesTheSendWithTheNumberSealed() {
        g.request();
        NumberNotice n = ((Output.Notify) g.last.get(0)).notice();
        GrantedCommand c = n.command();
        assertThat(c.resend()).isFalse();
        assertThat(c.deadline()).as("min(send deadline, permit deadline)").isEqualTo(Fixtures.T0.plus(PERMIT_DEADLINE));
        assertThat(new NumberKeys(NumberGuardTest.KEY).unseal(Harness.ID, c.sealedNumber())).isEqualTo(Fixtures.PHONE);
        assertThat(c.sealedNumber()).doesNotContain("910000000");
        assertThat(List.<Object>of(c.senderProfile(), c.codeType(), c.codeSize(), c.ttlSeconds(), c.message(),
                c.sendCount())).containsExactly("default", "numeric", 6, 60, CONFIG.defaultMessage(), 1);
        assertThat(n.toString()).doesNotContain("910000000").doesNotContain(c.sealedNumber());
        // The state awaits the guard's command like SENDING awaits its own: same id, deadline, + grace.
        assertThat(g.status()).isEqualTo(Status.AWAITING_PERMIT);
        assertThat(g.state.inFlight().commandId()).isEqualTo("req-1/send/" + Fixtures.T0.toEpochMilli());
        assertThat(g.state.inFlight().deadline()).isEqualTo(c.deadline());
        assertThat(g.state.wakeAt()).isEqualTo(Fixtures.T0.plus(GIVE_UP));
        g.submit();
        assertThat(g.lastDescribed()).containsExactly("Rejected:NOT_SENT_YET:5");
    }

    @Test
    void guardIssuedGrantOnlyMovesTheStateOn() {
        g.request().advance(Duration.ofMillis(40));
        VerificationState awaiting = g.state;
        guardVerdict(g, PermitVerdict.Kind.GRANTED, true);
        assertThat(g.last).as("nothing issued: the guard did").isEmpty();
        assertThat(g.status()).isEqualTo(Status.SENDING);
        assertThat(g.state.inFlight()).isEqualTo(awaiting.inFlight());
        assertThat(g.state.wakeAt()).isEqualTo(awaiting.wakeAt());
        assertThat(g.state.pendingSend()).isNull();
        assertThat(g.state.resendSeed().sealedNumber()).isEqualTo(awaiting.pendingSend().sealedNumber());
        guardResult(CommandStatus.SENT, g.now);
        assertThat(g.lastDescribed()).containsExactly("Sent");
        guardVerdict(g, PermitVerdict.Kind.GRANTED, true);
        assertThat(g.last).as("a replayed verdict").isEmpty();
        assertThat(g.all.stream().filter(o -> o instanceof Output.Issue)).isEmpty();
    }

    @Test
    void guardIssuedResultMayComeBeforeTheVerdict() {
        g.request().advance(Duration.ofMillis(300));
        guardResult(CommandStatus.SENT, g.now.minusMillis(100));
        assertThat(g.lastDescribed()).containsExactly("Sent");
        assertThat(g.state.expiresAt()).isEqualTo(g.now.minusMillis(100).plusSeconds(60));
        assertThat(g.state.resendSeed()).as("kept for a resend, as after a verdict").isNotNull();
        guardVerdict(g, PermitVerdict.Kind.GRANTED, true);
        assertThat(g.last).as("the verdict after its result").isEmpty();
        assertThat(g.status()).isEqualTo(Status.SENT);
        Harness failed = new Harness(GUARD_ISSUES);
        failed.request();
        failed.result(failed.state.inFlight().commandId(), CommandStatus.REJECTED, null, null);
        assertThat(failed.lastDescribed()).containsExactly("Failed:PROVIDER_REJECTED", "Notify:ENDED");
    }

    @Test
    void guardIssuingNoVerdictNorResultFailsAtTheCommandDeadlinePlusGrace() {
        g.request().advance(PERMIT_DEADLINE).tick();
        assertThat(g.last).as("the permit deadline is the command's: its call may still be under way").isEmpty();
        g.advance(CONFIG.resultGrace().minusMillis(1)).tick();
        assertThat(g.last).isEmpty();
        g.advance(Duration.ofMillis(1)).tick();
        assertThat(g.lastDescribed()).containsExactly("Failed:PROVIDER_UNAVAILABLE", "Notify:ENDED");
        assertThat(((VerificationFailed) ((Output.Publish) g.last.get(0)).event()).getDetail())
                .isEqualTo("no rate-limit verdict or send result before the send deadline");
        // A grant that comes after that issued a command the worker refuses (past its deadline); both are dropped.
        guardVerdict(g, PermitVerdict.Kind.GRANTED, true);
        assertThat(g.last).isEmpty();
        guardResult(CommandStatus.DEADLINE_PASSED, null);
        assertThat(g.last).isEmpty();
    }

    @Test
    void guardIssuedSendWhoseCallStartedBeforeTheDeadlineIsFoldedWithinTheGrace() {
        g.request().advance(GIVE_UP.minusMillis(1));
        guardResult(CommandStatus.SENT, Fixtures.T0.plus(PERMIT_DEADLINE).minusMillis(1));
        assertThat(g.lastDescribed()).containsExactly("Sent");
    }

    @Test
    void guardRefusalStillFailsAtOnce() {
        g.request();
        guardVerdict(g, PermitVerdict.Kind.REFUSED, false);
        assertThat(g.lastDescribed()).containsExactly("Failed:RATE_LIMITED", "Notify:ENDED");
    }

    @Test
    void guardOfThePreviousReleaseGrantsWithoutIssuingAndTheLifecycleIssues() {
        g.request().advance(Duration.ofSeconds(1));
        guardVerdict(g, PermitVerdict.Kind.GRANTED, false);
        assertThat(g.lastDescribed()).containsExactly("Send");
        assertThat(g.lastCommand.getCommandId()).as("the id the guard would have used")
                .isEqualTo(CommandIds.granted(g.state.permitId()));
        assertThat(g.lastCommand.getDeadline()).as("the deadline the state awaits")
                .isEqualTo(Fixtures.T0.plus(PERMIT_DEADLINE));
        // Too late to send: as the permit timeout would have said.
        Harness late = new Harness(GUARD_ISSUES);
        late.request().advance(PERMIT_DEADLINE);
        guardVerdict(late, PermitVerdict.Kind.GRANTED, false);
        assertThat(late.lastDescribed()).containsExactly("Failed:PROVIDER_UNAVAILABLE", "Notify:ENDED");
        assertThat(late.all.stream().filter(o -> o instanceof Output.Issue)).isEmpty();
    }

    @Test
    void guardIssuingSwitchedOnMeetsAStateThatAskedWithoutTheCommand() {
        Harness before = new Harness(CONFIG);
        before.request();
        assertThat(((Output.Notify) before.last.get(0)).notice().command()).isNull();
        g.state = before.state;
        g.advance(Duration.ofSeconds(1));
        guardVerdict(g, PermitVerdict.Kind.GRANTED, false);
        assertThat(g.lastDescribed()).containsExactly("Send");
        assertThat(g.lastCommand.getDeadline()).as("the send deadline, as before").isEqualTo(
                Fixtures.T0.plus(CONFIG.sendDeadline()));
    }

    @Test
    void guardIssuingACancelWhileThePermitIsAwaitedEndsItButCannotStopTheGuardsSend() {
        // Like a cancel of a SENDING verification: the guard may grant after it and issue the send (no E-goi id to
        // cancel yet); the outcome stays VerificationCancelled and the send's result is dropped.
        g.request().cancel();
        assertThat(g.lastDescribed()).containsExactly("Cancelled", "Notify:ENDED");
        guardVerdict(g, PermitVerdict.Kind.GRANTED, true);
        guardResult(CommandStatus.SENT, g.now);
        assertThat(g.last).isEmpty();
        assertThat(g.status()).isEqualTo(Status.CANCELLED);
    }
}
