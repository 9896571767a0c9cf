package io.egoiverify.lifecycle;

import static io.egoiverify.internal.CommandStatus.SENT;
import static io.egoiverify.internal.CommandStatus.VERIFIED;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.VerificationSent;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.ResendCode;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a resend command carries, which code verifies afterwards, when the new code expires, and the policy. */
@Timeout(10)
class ResendDetailsTest {
    private static final Duration COOLDOWN = Duration.ofSeconds(30);
    private final Harness h = new Harness(ResendTest.CONFIG);

    private VerificationSent lastSent() {
        return (VerificationSent) ((Output.Publish) h.last.get(0)).event();
    }

    @Test
    void theResendCommandNamesTheCurrentEgoiIdAndTheCodeNumber() {
        h.sent().advance(COOLDOWN).resend();
        assertThat(h.lastCommand.getCommandId()).isEqualTo("req-1/resend-2/" + h.now.toEpochMilli());
        assertThat(h.lastCommand.getSenderProfile()).isEqualTo("default");
        assertThat(h.lastCommand.getIssuedAt()).isEqualTo(h.now);
        assertThat(h.lastCommand.getDeadline()).isEqualTo(h.now.plus(ResendTest.CONFIG.sendDeadline()));
        ResendCode resend = (ResendCode) h.lastCommand.getAction();
        assertThat(resend.getProviderRequestId()).isEqualTo("egoi-req-1");
        assertThat(resend.getSendCount()).isEqualTo(2);
        // No number key: nothing was sealed, so a resend by a new send (the guide's API) is not possible.
        assertThat(resend.getNewSend()).isNull();
        assertThat(h.state.inFlight().commandId()).isEqualTo(h.lastCommand.getCommandId());
        assertThat(h.state.wakeAt()).isEqualTo(h.lastCommand.getDeadline().plus(ResendTest.CONFIG.resultGrace()));
    }

    @Test
    void onlyTheLatestCodeVerifiesAndItExpiresTtlAfterTheResendCallStarted() {
        h.sent().advance(COOLDOWN).resend();
        Instant callStarted = h.now.plusMillis(200);
        h.advance(Duration.ofSeconds(2)).result(SENT, "egoi-second", callStarted);
        VerificationSent sent = lastSent();
        assertThat(sent.getSendCount()).isEqualTo(2);
        assertThat(sent.getProviderRequestId()).isEqualTo("egoi-second");
        assertThat(sent.getExpiresAt()).isEqualTo(callStarted.plusSeconds(120));
        assertThat(sent.getMaxAttempts()).isEqualTo(5);
        // The deadline index moves with the new code, and the cooldown runs from this send.
        assertThat(h.state.wakeAt()).isEqualTo(callStarted.plusSeconds(120));
        assertThat(h.state.resendAvailableAt()).isEqualTo(callStarted.plus(COOLDOWN));
        h.submit();
        assertThat(((CheckCode) h.lastCommand.getAction()).getProviderRequestId()).isEqualTo("egoi-second");
        h.result(VERIFIED);
        assertThat(h.lastDescribed()).containsExactly("Verified:1");
    }

    @Test
    void theNewCodeExpiresOnItsOwnTime() {
        h.sent().advance(COOLDOWN).resend().result(SENT);
        Instant expiresAt = h.now.plusSeconds(120);
        h.advance(Duration.ofSeconds(119)).tick();
        assertThat(h.status()).isEqualTo(Status.SENT);
        h.advance(Duration.ofSeconds(1)).tick();
        assertThat(h.lastDescribed()).containsExactly("Expired:0");
        assertThat(h.state.expiresAt()).isEqualTo(expiresAt);
    }

    @Test
    void oneCodePerVerificationMeansNoResend() {
        Harness one = new Harness(ResendTest.CONFIG.withResend(new ResendPolicy(COOLDOWN, 1)));
        one.sent().advance(Duration.ofMinutes(1)).resend();
        assertThat(one.lastDescribed()).containsExactly("ResendRejected:TOO_MANY_SENDS:0");
        assertThat(one.state.resendAvailableAt()).isNull();
    }

    @Test
    void aSenderProfileOverridesCooldownAndMaxSends() {
        LifecycleConfig config = ResendTest.CONFIG.withSenderProfiles(Set.of("default", "strict"))
                .withProfilePolicies(java.util.Map.of("strict", ProfilePolicy.UNRESTRICTED
                        .withResendCooldown(Duration.ofSeconds(60)).withMaxSends(2)));
        assertThat(config.resendPolicy("strict")).isEqualTo(new ResendPolicy(Duration.ofSeconds(60), 2));
        assertThat(config.resendPolicy("default")).isEqualTo(ResendPolicy.DEFAULT);
        Harness strict = new Harness(config);
        strict.request(Fixtures.request(Harness.ID, strict.now).setSenderProfile("strict").build()).result(SENT);
        assertThat(strict.state.maxSends()).isEqualTo(2);
        strict.advance(COOLDOWN).resend();
        assertThat(strict.lastDescribed()).containsExactly("ResendRejected:COOLDOWN:30");
        strict.advance(COOLDOWN).resend().result(SENT).advance(Duration.ofSeconds(60)).resend();
        assertThat(strict.lastDescribed()).containsExactly("ResendRejected:TOO_MANY_SENDS:0");
    }

    @Test
    void resendAvailableAtFollowsTheRules() {
        h.request();
        assertThat(h.state.resendAvailableAt()).as("not sent yet").isNull();
        h.result(SENT);
        assertThat(h.state.resendAvailableAt()).isEqualTo(Fixtures.T0.plus(COOLDOWN));
        h.submit();
        assertThat(h.state.resendAvailableAt()).as("checking: the cooldown still counts")
                .isEqualTo(Fixtures.T0.plus(COOLDOWN));
        h.result(io.egoiverify.internal.CommandStatus.WRONG_CODE).advance(COOLDOWN).resend();
        assertThat(h.state.resendAvailableAt()).as("a resend under way").isNull();
        h.result(SENT).advance(COOLDOWN).resend().result(SENT);
        assertThat(h.state.sendCount()).isEqualTo(3);
        assertThat(h.state.resendAvailableAt()).as("every code sent").isNull();
        Harness shortCode = new Harness(ResendTest.CONFIG);
        shortCode.request(Fixtures.request(Harness.ID, shortCode.now).setTtlSeconds(30).build()).result(SENT);
        assertThat(shortCode.state.resendAvailableAt()).as("the code expires before the cooldown ends").isNull();
        shortCode.cancel();
        assertThat(shortCode.state.resendAvailableAt()).as("ended").isNull();
    }

    @Test
    void aResendCarriesNoSecretIntoStateOrOutcomes() {
        h.sent().advance(COOLDOWN).resend().result(SENT);
        assertThat(h.state.toString()).doesNotContain("910000000");
        h.all.forEach(o -> assertThat(o.toString()).doesNotContain("910000000"));
    }
}
