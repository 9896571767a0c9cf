package io.egoiverify.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.lifecycle.StatusView.Phase;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The status view of states the real lifecycle produces. */
@Timeout(30)
class StatusViewTest {
    private static final Duration TTL = Duration.ofSeconds(60);  // LifecycleConfig.defaults()
    private static final Duration COOLDOWN = ResendPolicy.DEFAULT.cooldown();

    private static StatusView view(Harness h) {
        return StatusView.of(h.state).orElseThrow();
    }

    private static Harness sent() {
        Harness h = new Harness().request();
        h.result(CommandStatus.SENT);
        return h;
    }

    @Test
    void carriesExactlyTheContractFieldsAndNothingSecret() {
        assertThat(Arrays.stream(StatusView.class.getRecordComponents()).map(RecordComponent::getName))
                .containsExactly("requestId", "status", "phoneNumberMasked", "sendCount", "expiresAt",
                        "attemptsRemaining", "resendAvailableAt", "terminal");
        Harness h = sent().submit("s1", Fixtures.SECRET_CODE);
        StatusView v = view(h);
        assertThat(v.toString()).doesNotContain(Fixtures.SECRET_CODE).doesNotContain(Fixtures.PHONE)
                .doesNotContain("910000000").doesNotContain(h.state.providerRequestId());
        assertThat(v.phoneNumberMasked()).isEqualTo("+351*******00");
    }

    @Test
    void pendingSendBeforeTheSms() {
        Harness h = new Harness().request();
        assertThat(h.state.status()).isEqualTo(Status.SENDING);
        StatusView v = view(h);
        assertThat(v).isEqualTo(new StatusView(Harness.ID, Phase.PENDING_SEND, "+351*******00", 0, null, 5, null,
                false));

        VerificationState awaiting = VerificationState.builder("p-1", Status.AWAITING_PERMIT, Fixtures.T0)
                .phoneMasked("+351*******00").maxAttempts(5).pendingSend(new VerificationState.PendingSend(
                        "sealed", "NUMERIC", "{CODE}", null, Fixtures.T0)).build();
        assertThat(StatusView.of(awaiting).orElseThrow().status()).isEqualTo(Phase.PENDING_SEND);
    }

    @Test
    void sentShowsExpiryAttemptsAndWhenAResendWouldBeAccepted() {
        Harness h = sent();
        Instant sentAt = h.now;
        StatusView v = view(h);
        assertThat(v.status()).isEqualTo(Phase.SENT);
        assertThat(v.sendCount()).isEqualTo(1);
        assertThat(v.expiresAt()).isEqualTo(sentAt.plus(TTL));
        assertThat(v.attemptsRemaining()).isEqualTo(5);
        assertThat(v.resendAvailableAt()).isEqualTo(sentAt.plus(COOLDOWN));
        assertThat(v.terminal()).isFalse();

        h.submit("s1", "000000").result(CommandStatus.WRONG_CODE);
        assertThat(view(h).attemptsRemaining()).isEqualTo(4);
        h.submit("s2", "111111");
        assertThat(view(h).status()).isEqualTo(Phase.CHECKING);
        assertThat(view(h).attemptsRemaining()).isEqualTo(4);
        assertThat(view(h).resendAvailableAt()).isEqualTo(sentAt.plus(COOLDOWN));
    }

    @Test
    void aResendUnderWayIsAPendingSendThenTheNewCodeCounts() {
        Harness h = sent();
        Instant firstExpiry = view(h).expiresAt();
        h.submit("s1", "000000").result(CommandStatus.WRONG_CODE);
        h.advance(COOLDOWN).resend();
        assertThat(h.state.status()).isEqualTo(Status.RESENDING);
        StatusView resending = view(h);
        assertThat(resending.status()).isEqualTo(Phase.PENDING_SEND);
        assertThat(resending.sendCount()).as("the new code is not out yet").isEqualTo(1);
        assertThat(resending.expiresAt()).as("the latest code sent").isEqualTo(firstExpiry);
        assertThat(resending.resendAvailableAt()).as("a resend is under way").isNull();
        assertThat(resending.attemptsRemaining()).isEqualTo(4);

        Instant secondSend = h.now.plusMillis(200);
        h.advance(Duration.ofSeconds(1)).result(CommandStatus.SENT, "egoi-2", secondSend);
        StatusView second = view(h);
        assertThat(second.status()).isEqualTo(Phase.SENT);
        assertThat(second.sendCount()).isEqualTo(2);
        assertThat(second.expiresAt()).isEqualTo(secondSend.plus(TTL));
        assertThat(second.resendAvailableAt()).isEqualTo(secondSend.plus(COOLDOWN));
        assertThat(second.attemptsRemaining()).as("a resend does not reset wrong codes").isEqualTo(4);
        assertThat(second.toString()).doesNotContain("egoi-2");

        Instant thirdSend = h.advance(COOLDOWN).now;
        h.resend().result(CommandStatus.SENT, "egoi-3", thirdSend);
        assertThat(view(h).sendCount()).isEqualTo(3);
        assertThat(view(h).resendAvailableAt()).as("every allowed code was sent (default 3)").isNull();
    }

    @Test
    void aResendWaitingForItsPermitIsAPendingSendToo() {
        VerificationState sent = sent().state;
        VerificationState awaiting = sent.toBuilder().status(Status.AWAITING_RESEND_PERMIT)
                .pendingResend(new VerificationState.PendingResend("p-2", Fixtures.T0.plusSeconds(90))).build();
        StatusView v = StatusView.of(awaiting).orElseThrow();
        assertThat(v.status()).isEqualTo(Phase.PENDING_SEND);
        assertThat(v.sendCount()).isEqualTo(1);
        assertThat(v.resendAvailableAt()).isNull();
    }

    @Test
    void noResendWhenTheCooldownWouldEndAfterTheCodeExpired() {
        Harness h = new Harness().request(Fixtures.request(Harness.ID, Fixtures.T0).setTtlSeconds(30).build());
        h.result(CommandStatus.SENT);
        assertThat(view(h).expiresAt()).isEqualTo(h.now.plusSeconds(30));
        assertThat(view(h).resendAvailableAt()).isNull();
    }

    @Test
    void terminalStatesHaveNoAttemptsAndNoResend() {
        Harness verified = sent().submit("s1", "123456");
        verified.result(CommandStatus.VERIFIED);
        Harness expired = sent().advance(TTL.plusSeconds(1));
        expired.tick();
        Harness cancelled = sent().cancel();
        Harness failed = new Harness().request(Fixtures.request(Harness.ID, Fixtures.T0).setPhoneNumber("123")
                .build());
        Harness lockedOut = sent();
        for (int i = 0; i < 5; i++) {
            lockedOut.submit("w" + i, "000000").result(CommandStatus.WRONG_CODE);
        }
        for (Object[] c : new Object[][] {{verified, Phase.VERIFIED}, {expired, Phase.EXPIRED},
            {cancelled, Phase.CANCELLED}, {failed, Phase.FAILED}, {lockedOut, Phase.FAILED}}) {
            StatusView v = view((Harness) c[0]);
            assertThat(v.status()).isEqualTo(c[1]);
            assertThat(v.terminal()).isTrue();
            assertThat(v.attemptsRemaining()).isZero();
            assertThat(v.resendAvailableAt()).isNull();
        }
        assertThat(view(failed).phoneNumberMasked()).as("an invalid number is never echoed").isNull();
        assertThat(view(failed).sendCount()).isZero();
        assertThat(view(failed).expiresAt()).isNull();
        assertThat(view(verified).sendCount()).isEqualTo(1);
    }

    @Test
    void aCancelRememberedBeforeItsRequestIsNotAVerification() {
        Harness h = new Harness().cancel();
        assertThat(h.state.status()).isEqualTo(Status.CANCEL_PENDING);
        assertThat(StatusView.of(h.state)).isEmpty();
    }

    @Test
    void everyStoredStatusHasAnAnswer() {
        Set<Phase> seen = EnumSet.noneOf(Phase.class);
        for (Status s : Status.values()) {
            VerificationState.Builder b = VerificationState.builder("x", s, Fixtures.T0).maxAttempts(5);
            if (s == Status.SENDING || s == Status.CHECKING || s == Status.RESENDING) {
                b.inFlight(new InFlight("c", s == Status.CHECKING ? "s" : null, Fixtures.T0, Fixtures.T0));
            }
            if (s == Status.AWAITING_RESEND_PERMIT) {
                b.pendingResend(new VerificationState.PendingResend("p", Fixtures.T0));
            }
            if (s == Status.CHECKING) {
                b.expiresAt(Fixtures.T0.plus(TTL)).ttlSeconds(60).sendCount(1).lastSendAt(Fixtures.T0).maxSends(3)
                        .resendCooldown(COOLDOWN);
            }
            if (s == Status.AWAITING_PERMIT) {
                b.pendingSend(new VerificationState.PendingSend("sealed", "NUMERIC", "{CODE}", null, Fixtures.T0));
            }
            Optional<StatusView> v = StatusView.of(b.build());
            assertThat(v.isPresent()).as(s.name()).isEqualTo(s != Status.CANCEL_PENDING);
            v.ifPresent(x -> {
                seen.add(x.status());
                assertThat(x.terminal()).isEqualTo(s.terminal());
            });
        }
        assertThat(seen).containsExactlyInAnyOrder(Phase.values());
    }
}
