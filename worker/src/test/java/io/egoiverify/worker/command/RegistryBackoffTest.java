package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class RegistryBackoffTest {
    @Test
    void doublesUpToTheCapAndStartsOverAfterASuccess() {
        RegistryBackoff b = new RegistryBackoff();
        assertThat(b.failed()).isEqualTo(250);
        assertThat(b.failed()).isEqualTo(500);
        assertThat(b.failed()).isEqualTo(1000);
        for (int i = 0; i < 40; i++) {
            assertThat(b.failed()).isLessThanOrEqualTo(RegistryBackoff.MAX_MILLIS);
        }
        assertThat(b.failed()).isEqualTo(RegistryBackoff.MAX_MILLIS);
        b.succeeded();
        assertThat(b.failed()).isEqualTo(250);
    }
}
