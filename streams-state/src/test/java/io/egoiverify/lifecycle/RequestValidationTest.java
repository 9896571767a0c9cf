package io.egoiverify.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.CodeType;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.internal.SendCode;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(30)
class RequestValidationTest {

    static Stream<Arguments> invalidRequests() {
        return Stream.of(
                Arguments.of("requestId", (UnaryOperator<VerificationRequested.Builder>) b -> b.setRequestId("a b")),
                Arguments.of("requestId", (UnaryOperator<VerificationRequested.Builder>) b -> b.setRequestId("x".repeat(65))),
                Arguments.of("phoneNumber", (UnaryOperator<VerificationRequested.Builder>) b -> b.setPhoneNumber("+35191")),
                Arguments.of("phoneNumber", (UnaryOperator<VerificationRequested.Builder>) b -> b.setPhoneNumber("910000000")),
                Arguments.of("phoneNumber", (UnaryOperator<VerificationRequested.Builder>) b -> b.setPhoneNumber("+351 910 000 000")),
                Arguments.of("phoneNumber", (UnaryOperator<VerificationRequested.Builder>) b -> b.setPhoneNumber("44-910000000")),
                Arguments.of("codeType", (UnaryOperator<VerificationRequested.Builder>) b -> b.setCodeType(CodeType.UNKNOWN)),
                Arguments.of("codeSize", (UnaryOperator<VerificationRequested.Builder>) b -> b.setCodeSize(3)),
                Arguments.of("codeSize", (UnaryOperator<VerificationRequested.Builder>) b -> b.setCodeSize(11)),
                Arguments.of("ttlSeconds", (UnaryOperator<VerificationRequested.Builder>) b -> b.setTtlSeconds(29)),
                Arguments.of("ttlSeconds", (UnaryOperator<VerificationRequested.Builder>) b -> b.setTtlSeconds(3601)),
                Arguments.of("message does not contain", (UnaryOperator<VerificationRequested.Builder>) b -> b.setMessage("no code here")),
                Arguments.of("message is", (UnaryOperator<VerificationRequested.Builder>) b -> b.setMessage("{CODE}" + "x".repeat(200))),
                Arguments.of("group", (UnaryOperator<VerificationRequested.Builder>) b -> b.setGroup("g".repeat(65))),
                Arguments.of("maxAttempts", (UnaryOperator<VerificationRequested.Builder>) b -> b.setMaxAttempts(0)),
                Arguments.of("maxAttempts", (UnaryOperator<VerificationRequested.Builder>) b -> b.setMaxAttempts(11)),
                Arguments.of("senderProfile", (UnaryOperator<VerificationRequested.Builder>) b -> b.setSenderProfile("nope")),
                Arguments.of("metadata", (UnaryOperator<VerificationRequested.Builder>) b -> b.setMetadata(Map.of("k", "v".repeat(2000)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void invalidRequestFailsWithADetailNamingTheProblemButNotTheNumber(String problem,
                                                                       UnaryOperator<VerificationRequested.Builder> edit) {
        Harness h = new Harness();
        VerificationRequested r = edit.apply(Fixtures.request(Harness.ID, h.now)).build();
        h.request(r);
        assertThat(h.lastDescribed()).containsExactly("Failed:INVALID_REQUEST");
        VerificationFailed failed = (VerificationFailed) ((Output.Publish) h.last.get(0)).event();
        assertThat(failed.getDetail()).contains(problem).doesNotContain(r.getPhoneNumber())
                .doesNotContain("910000000");
        assertThat(h.status()).isEqualTo(Status.FAILED);
    }

    @Test
    void acceptsTheEgoiFormAndSendsE164() {
        Harness h = new Harness();
        h.request(Fixtures.request(Harness.ID, h.now).setPhoneNumber("351-910000000").setCodeType(CodeType.HEX)
                .setGroup("2FA").build());
        SendCode send = (SendCode) h.lastCommand.getAction();
        assertThat(send.getPhoneNumber()).isEqualTo("+351910000000");
        assertThat(send.getCodeType()).isEqualTo("hex");
        assertThat(send.getCodeSize()).isEqualTo(6);
        assertThat(send.getTtlSeconds()).isEqualTo(60);
        assertThat(send.getMessage()).contains("{CODE}");
        assertThat(h.lastCommand.getDeadline()).isEqualTo(h.now.plus(Duration.ofSeconds(30)));
        assertThat(h.state.phoneMasked()).isEqualTo("+351*******00");
    }

    @Test
    void masksEveryDigitButCountryCodeAndLastTwo() {
        assertThat(PhoneNumbers.mask("+351910000000")).isEqualTo("+351*******00");
        assertThat(PhoneNumbers.mask("+14155552671")).isEqualTo("+1********71");
        assertThat(PhoneNumbers.normalise("1-4155552671")).contains("+14155552671");
    }

    @Test
    void rejectsInconsistentConfiguration() {
        LifecycleConfig d = LifecycleConfig.defaults();
        assertThatThrownBy(() -> d.withSenderProfiles(java.util.Set.of("other")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("default");
        assertThatThrownBy(() -> d.withPunctuation(Duration.ofMillis(1), 10))
                .hasMessageContaining("punctuationInterval");
        assertThatThrownBy(() -> d.withTimes(Duration.ZERO, d.resultGrace(), d.retention(), d.pendingCancelMemory()))
                .hasMessageContaining("positive");
    }

    @Test
    void permitTimeoutOutlastsAFailOverButNotTheSendDeadline() {
        LifecycleConfig d = LifecycleConfig.defaults();
        AbuseLimits on = AbuseLimits.defaults(new byte[32]);
        assertThat(on.permitTimeout()).isEqualTo(Duration.ofSeconds(25)).isLessThan(d.sendDeadline());
        assertThat(d.withAbuse(on).abuse().enabled()).isTrue();
        assertThatThrownBy(() -> d.withAbuse(on.withPermitTimeout(d.sendDeadline())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permit timeout")
                .hasMessageContaining("sendDeadline");
        assertThatThrownBy(() -> d.withAbuse(on).withTimes(Duration.ofSeconds(20), d.resultGrace(), d.retention(),
                d.pendingCancelMemory())).hasMessageContaining("permit timeout");
        // without a key nothing awaits a permit: a short send deadline stays valid
        assertThat(d.withTimes(Duration.ofSeconds(20), d.resultGrace(), d.retention(), d.pendingCancelMemory())
                .abuse().enabled()).isFalse();
    }
}
