package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GracefulCheckTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void notReadyUntilFirstUpThenToleratesShortDipsOnly() {
        AtomicBoolean up = new AtomicBoolean(false);
        GracefulCheck check = new GracefulCheck(HealthCheck.of("streams", () -> up.get()
                ? HealthCheck.Status.up("RUNNING") : HealthCheck.Status.dip("REBALANCING")),
                Duration.ofSeconds(30), clock);

        assertThat(check.check().up()).as("never up yet").isFalse();
        up.set(true);
        assertThat(check.check().up()).isTrue();

        up.set(false);                       // a registry blip: Streams retries, leaves RUNNING
        assertThat(check.check().up()).isTrue();
        now = now.plusSeconds(29);
        assertThat(check.check().up()).as("still within grace").isTrue();
        assertThat(check.check().detail()).contains("tolerated");
        now = now.plusSeconds(2);
        assertThat(check.check().up()).as("past the grace").isFalse();

        up.set(true);
        assertThat(check.check().up()).isTrue();
        up.set(false);
        now = now.plusSeconds(5);
        assertThat(check.check().up()).as("a new dip starts a new grace").isTrue();
    }
}
