package io.egoiverify.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.internal.SendCode;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Sender-profile policy: each rule refuses INVALID_REQUEST with a detail; defaults move into a strict profile. */
@Timeout(30)
class ProfilePolicyTest {
    static final ProfilePolicy STRICT = ProfilePolicy.UNRESTRICTED.withAllowedCountryCodes(Set.of(351, 34))
            .withMinCodeSize(8).withMaxTtl(Duration.ofSeconds(120)).withMaxMessageLength(40);
    static final LifecycleConfig CONFIG = LifecycleConfig.defaults()
            .withSenderProfiles(Set.of("default", "strict"))
            .withProfilePolicies(Map.of("strict", STRICT));

    private static VerificationRequested.Builder strict(Harness h) {
        return Fixtures.request(Harness.ID, h.now).setSenderProfile("strict");
    }

    static Stream<Arguments> outsidePolicy() {
        return Stream.of(
                Arguments.of("does not allow country calling code +44",
                        (UnaryOperator<VerificationRequested.Builder>) b -> b.setPhoneNumber("+447911123456")),
                Arguments.of("codeSize 6 is below the senderProfile's minimum 8",
                        (UnaryOperator<VerificationRequested.Builder>) b -> b.setCodeSize(6)),
                Arguments.of("ttlSeconds 300 is above the senderProfile's maximum 120",
                        (UnaryOperator<VerificationRequested.Builder>) b -> b.setTtlSeconds(300)),
                Arguments.of("more than the senderProfile's maximum 40",
                        (UnaryOperator<VerificationRequested.Builder>) b -> b.setMessage("{CODE} " + "x".repeat(40))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outsidePolicy")
    void aRequestOutsideItsProfilesPolicyIsInvalid(String detail, UnaryOperator<VerificationRequested.Builder> edit) {
        Harness h = new Harness(CONFIG);
        VerificationRequested r = edit.apply(strict(h)).build();
        h.request(r);
        assertThat(h.lastDescribed()).containsExactly("Failed:INVALID_REQUEST");
        VerificationFailed f = (VerificationFailed) ((Output.Publish) h.last.get(0)).event();
        assertThat(f.getDetail()).contains(detail).doesNotContain("7911123456").doesNotContain("910000000");
    }

    @Test
    void aStrictProfilesDefaultsFitItsPolicy() {
        Harness h = new Harness(CONFIG);
        h.request(strict(h).setMessage("Code {CODE}").build());
        assertThat(h.lastDescribed()).containsExactly("Send");
        SendCode send = (SendCode) h.lastCommand.getAction();
        assertThat(send.getCodeSize()).isEqualTo(8);
        assertThat(send.getTtlSeconds()).isEqualTo(60);
    }

    @Test
    void aStrictTtlCapLowersTheDefault() {
        LifecycleConfig c = CONFIG.withProfilePolicies(Map.of("strict", STRICT.withMaxTtl(Duration.ofSeconds(45))));
        Harness h = new Harness(c);
        h.request(strict(h).setMessage("Code {CODE}").build());
        assertThat(((SendCode) h.lastCommand.getAction()).getTtlSeconds()).isEqualTo(45);
    }

    @Test
    void otherProfilesAreOnlyBoundByTheGlobalBounds() {
        Harness h = new Harness(CONFIG);
        h.request(Fixtures.request(Harness.ID, h.now).setPhoneNumber("+447911123456").setCodeSize(4).build());
        assertThat(h.lastDescribed()).containsExactly("Send");
    }

    @Test
    void policiesAreValidated() {
        assertThatThrownBy(() -> LifecycleConfig.defaults().withProfilePolicies(Map.of("other", STRICT)))
                .hasMessageContaining("not in senderProfiles");
        assertThatThrownBy(() -> STRICT.withAllowedCountryCodes(Set.of(0))).hasMessageContaining("country");
        assertThatThrownBy(() -> CONFIG.withProfilePolicies(Map.of("strict", STRICT.withMinCodeSize(10)
                .withMaxTtl(Duration.ofSeconds(10))))).hasMessageContaining("maxTtl below minTtl");
        assertThatThrownBy(() -> CONFIG.withProfilePolicies(Map.of("strict", STRICT.withMaxMessageLength(20))))
                .hasMessageContaining("defaultMessage is longer");
        assertThatThrownBy(() -> STRICT.withMaxTtl(Duration.ofMillis(1500))).hasMessageContaining("whole");
        assertThatThrownBy(() -> AbuseLimits.defaults(new byte[16])).hasMessageContaining("32 bytes");
        assertThat(LifecycleConfig.defaults().policy("default")).isEqualTo(ProfilePolicy.UNRESTRICTED);
        assertThat(LifecycleConfig.defaults().abuse().enabled()).isFalse();
    }
}
