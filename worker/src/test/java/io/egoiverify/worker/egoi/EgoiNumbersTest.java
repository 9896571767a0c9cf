package io.egoiverify.worker.egoi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The worker only re-formats the lifecycle's E.164 number; it does not judge it again. */
class EgoiNumbersTest {
    @Test
    void writesE164InEgoisForm() {
        assertThat(EgoiNumbers.fromE164("+351910000000")).isEqualTo("351-910000000");
        assertThat(EgoiNumbers.fromE164("+14155550123")).isEqualTo("1-4155550123");
        assertThat(EgoiNumbers.fromE164("+390612345678")).isEqualTo("39-0612345678");
    }

    @Test
    void doesNotApplyAValidityRuleOfItsOwn() {
        // +35191 0000 is not a valid Portuguese number, but judging that is the lifecycle's job
        assertThat(EgoiNumbers.fromE164("+3519100000")).isEqualTo("351-9100000");
    }

    @Test
    void refusesWhatIsNotE164WithoutEchoingIt() {
        for (String bad : new String[] {"351-910000000", "910000000", "+0123", "", "+99912345678"}) {
            assertThatThrownBy(() -> EgoiNumbers.fromE164(bad)).isInstanceOf(InvalidRequestException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("910000000").doesNotContain("12345678"));
        }
    }
}
