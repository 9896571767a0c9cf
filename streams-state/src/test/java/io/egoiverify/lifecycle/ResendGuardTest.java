package io.egoiverify.lifecycle;

import static io.egoiverify.internal.CommandStatus.SENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A resend under per-number limits: it asks the number guard for a permit (a resend is a send for the send limit),
 * and, holding the number sealed, gives the resend command what a new send needs. The first tests run the lifecycle
 * issuing the granted resend itself (lifecycle.guard-issues-commands=false); the {@code guard…} ones the default, the
 * guard issuing it from what the request carries.
 */
@Timeout(10)
class ResendGuardTest {
    private static final Duration COOLDOWN = Duration.ofSeconds(30);
    private final Harness h = new Harness(AbuseLifecycleTest.CONFIG);

    private NumberNotice notice(int index) {
        return ((Output.Notify) h.last.get(index)).notice();
    }

    private Harness verdict(String permitId, PermitVerdict.Kind kind, Instant retryAt) {
        return h.apply(new Input.Verdict(new PermitVerdict(Harness.ID, permitId, kind,
                kind == PermitVerdict.Kind.REFUSED ? "sends-per-number (at most 5 codes ...)" : null, retryAt)));
    }

    @BeforeEach
    void sent() {
        h.request();
        String permit = notice(0).permitId();
        h.advance(Duration.ofMillis(40));
        verdict(permit, PermitVerdict.Kind.GRANTED, null);
        // The send granted by a permit takes its id from the permit's alone.
        assertThat(h.lastCommand.getCommandId()).isEqualTo("req-1/send/" + Fixtures.T0.toEpochMilli());
        h.result(SENT);
        assertThat(h.state.resendSeed()).as("kept sealed for a resend by a new send").isNotNull();
        assertThat(h.state.resendSeed().sealedNumber()).doesNotContain("910000000");
        h.advance(COOLDOWN);
    }

    @Test
    void aResendWaitsForItsPermit() {
        h.resend();
        assertThat(h.status()).isEqualTo(Status.AWAITING_RESEND_PERMIT);
        NumberNotice n = notice(0);
        assertThat(n.kind()).isEqualTo(NumberNotice.Kind.RESEND_REQUEST);
        assertThat(n.numberHash()).isEqualTo(h.state.numberHash());
        assertThat(n.permitId()).isEqualTo("req-1/permit-resend-2/" + h.now.toEpochMilli());
        assertThat(h.state.permitId()).as("the verification's own permit is kept").isNotEqualTo(n.permitId());
        assertThat(h.state.wakeAt()).isEqualTo(h.now.plus(AbuseLifecycleTest.CONFIG.abuse().permitTimeout()));
        h.submit();
        assertThat(h.lastDescribed()).containsExactly("Rejected:NOT_SENT_YET:5");
        h.resend();
        assertThat(h.lastDescribed()).containsExactly("ResendRejected:COOLDOWN:30");
    }

    @Test
    void grantedIssuesTheResendWithWhatANewSendNeeds() {
        h.resend();
        String permit = notice(0).permitId();
        h.advance(Duration.ofMillis(30));
        verdict(permit, PermitVerdict.Kind.GRANTED, null);
        assertThat(h.status()).isEqualTo(Status.RESENDING);
        assertThat(h.lastCommand.getCommandId()).isEqualTo("req-1/resend-2/" + h.now.minusMillis(30).toEpochMilli());
        ResendCode resend = (ResendCode) h.lastCommand.getAction();
        assertThat(resend.getSendCount()).isEqualTo(2);
        SendCode send = resend.getNewSend();
        assertThat(send.getPhoneNumber()).isEqualTo(Fixtures.PHONE);
        assertThat(send.getCodeType()).isEqualTo("numeric");
        assertThat(send.getCodeSize()).isEqualTo(6);
        assertThat(send.getTtlSeconds()).isEqualTo(60);
        assertThat(send.getMessage()).isEqualTo(LifecycleConfig.defaults().defaultMessage());
        assertThat(h.lastCommand.toString()).as("(the command topic carries the number, as for sends)")
                .contains("910000000");
        assertThat(h.state.toString()).doesNotContain("910000000");
        h.result(SENT);
        assertThat(h.lastDescribed()).containsExactly("Sent:2");
        // A replayed verdict for the answered permit does nothing.
        verdict(permit, PermitVerdict.Kind.GRANTED, null);
        assertThat(h.last).isEmpty();
    }

    @Test
    void refusedAnswersRateLimitedWithWhenTheLimitLetsItThrough() {
        h.resend();
        verdict(notice(0).permitId(), PermitVerdict.Kind.REFUSED, h.now.plusSeconds(20));
        assertThat(h.status()).isEqualTo(Status.SENT);
        assertThat(h.lastDescribed()).containsExactly("ResendRejected:RATE_LIMITED:20");
        h.advance(Duration.ofSeconds(20)).resend();
        verdict(notice(0).permitId(), PermitVerdict.Kind.REFUSED, h.now.plusSeconds(3600));
        assertThat(h.lastDescribed()).as("the code expires first: waiting does not help")
                .containsExactly("ResendRejected:RATE_LIMITED:0");
    }

    @Test
    void noVerdictInTimeFailsTheResendNotTheVerification() {
        h.resend().advance(AbuseLifecycleTest.CONFIG.abuse().permitTimeout()).tick();
        assertThat(h.status()).as("the 60 s code has 5 s left").isEqualTo(Status.SENT);
        assertThat(h.lastDescribed()).containsExactly("ResendRejected:FAILED:0");
        h.advance(Duration.ofSeconds(5)).tick();
        assertThat(h.lastDescribed()).containsExactly("Expired:0", "Notify:ENDED");
    }

    @Test
    void supersededWhileAResendWaitsCancelsHereAndAtEgoi() {
        h.resend();
        verdict(h.state.permitId(), PermitVerdict.Kind.SUPERSEDED, null);
        assertThat(h.status()).isEqualTo(Status.CANCELLED);
        assertThat(h.lastDescribed()).containsExactly("CancelAtEgoi", "Cancelled", "Notify:ENDED");
        assertThat(h.state.resendSeed()).as("the sealed number is dropped at the end").isNull();
    }

    /** A verification sent through the guard-issuing protocol, its code living 120 s, the cooldown over. */
    private Harness guardSent() {
        Harness g = new Harness(AbuseLifecycleTest.GUARD_ISSUES);
        g.request(Fixtures.request(Harness.ID, g.now).setTtlSeconds(120).build());
        g.apply(new Input.Verdict(new PermitVerdict(Harness.ID, g.state.permitId(), PermitVerdict.Kind.GRANTED, null,
                null, true)));
        g.result(g.state.inFlight().commandId(), SENT, "egoi-req-1", g.now);
        assertThat(g.lastDescribed()).containsExactly("Sent");
        return g.advance(COOLDOWN);
    }

    private static NumberNotice notice(Harness on) {
        return ((Output.Notify) on.last.get(0)).notice();
    }

    @Test
    void guardIssuingTheResendRequestCarriesTheResend() {
        Harness g = guardSent();
        g.resend();
        NumberNotice n = notice(g);
        GrantedCommand c = n.command();
        assertThat(c.resend()).isTrue();
        assertThat(c.providerRequestId()).isEqualTo("egoi-req-1");
        assertThat(c.sendCount()).isEqualTo(2);
        assertThat(c.deadline()).as("min(resend deadline, permit deadline)")
                .isEqualTo(g.now.plus(AbuseLifecycleTest.CONFIG.abuse().permitTimeout()));
        assertThat(c.sealedNumber()).isEqualTo(g.state.resendSeed().sealedNumber()).doesNotContain("910000000");
        assertThat(g.status()).isEqualTo(Status.AWAITING_RESEND_PERMIT);
        assertThat(g.state.inFlight().commandId()).isEqualTo(CommandIds.granted(n.permitId()))
                .isEqualTo("req-1/resend-2/" + g.now.toEpochMilli());
        assertThat(g.state.wakeAt()).isEqualTo(c.deadline().plus(AbuseLifecycleTest.CONFIG.resultGrace()));
        g.submit();
        assertThat(g.lastDescribed()).containsExactly("Rejected:NOT_SENT_YET:5");
    }

    @Test
    void guardIssuedResendMovesOnWithTheVerdictOrWithItsResultFirst() {
        Harness g = guardSent();
        g.resend();
        String permit = notice(g).permitId();
        g.apply(new Input.Verdict(new PermitVerdict(Harness.ID, permit, PermitVerdict.Kind.GRANTED, null, null,
                true)));
        assertThat(g.last).isEmpty();
        assertThat(g.status()).isEqualTo(Status.RESENDING);
        g.result(g.state.inFlight().commandId(), SENT, "egoi-2", g.now);
        assertThat(g.lastDescribed()).containsExactly("Sent:2");

        Harness first = guardSent();
        first.resend();
        String permit2 = notice(first).permitId();
        first.result(CommandIds.granted(permit2), SENT, "egoi-2", first.now);
        assertThat(first.lastDescribed()).as("the result before the verdict").containsExactly("Sent:2");
        first.apply(new Input.Verdict(new PermitVerdict(Harness.ID, permit2, PermitVerdict.Kind.GRANTED, null, null,
                true)));
        assertThat(first.last).isEmpty();
        assertThat(first.state.sendCount()).isEqualTo(2);
    }

    @Test
    void guardIssuingNoVerdictNorResultGivesTheResendUpAtItsDeadlinePlusGraceAsRunFromItsAcceptance() {
        Harness g = guardSent();
        Instant accepted = g.now;
        g.resend().advance(AbuseLifecycleTest.CONFIG.abuse().permitTimeout()).tick();
        assertThat(g.last).isEmpty();
        g.advance(AbuseLifecycleTest.CONFIG.resultGrace()).tick();
        assertThat(g.status()).isEqualTo(Status.SENT);
        assertThat(g.lastDescribed()).containsExactly("ResendRejected:FAILED:0");
        // The guard may have issued it: a code may have gone out, so the cooldown restarts from the acceptance.
        assertThat(g.state.lastSendAt()).isEqualTo(accepted);
    }
}
