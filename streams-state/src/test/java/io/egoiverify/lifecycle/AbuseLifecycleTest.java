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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lifecycle's side of per-number limits: AWAITING_PERMIT, verdicts, notices to the guard. */
@Timeout(10)
class AbuseLifecycleTest {
    static final LifecycleConfig CONFIG = LifecycleConfig.defaults()
            .withAbuse(AbuseLimits.defaults(NumberGuardTest.KEY));

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
}
