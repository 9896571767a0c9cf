package io.egoiverify.worker.egoi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PhoneNumbersTest {

    @Test
    void normalisesE164ToEgoiForm() {
        assertThat(PhoneNumbers.toEgoi("+351910000000")).isEqualTo("351-910000000");
        assertThat(PhoneNumbers.toEgoi("+447911123456")).isEqualTo("44-7911123456");
        assertThat(PhoneNumbers.toEgoi("+14155552671")).isEqualTo("1-4155552671");
    }

    @Test
    void acceptsTheEgoiFormToo() {
        assertThat(PhoneNumbers.toEgoi("351-910000000")).isEqualTo("351-910000000");
    }

    @Test
    void refusesInvalidNumbersWithoutEchoingThem() {
        for (String bad : new String[] {"+35191", "910000000", "+999123456789", "abc", ""}) {
            assertThatThrownBy(() -> PhoneNumbers.toEgoi(bad)).isInstanceOf(InvalidRequestException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("91000"));
        }
    }
}
