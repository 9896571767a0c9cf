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

    /**
     * The dip's length is two wall-clock readings apart: with the clock stepped back an hour during a dip, it came out
     * negative and the dip was tolerated for an hour (readiness up on a component that was down), until the clock
     * caught up with the instant it started.
     */
    @Test
    void aClockSteppedBackDuringADipDoesNotStretchTheGrace() {
        AtomicBoolean up = new AtomicBoolean(true);
        GracefulCheck check = new GracefulCheck(HealthCheck.of("streams", () -> up.get()
                ? HealthCheck.Status.up("RUNNING") : HealthCheck.Status.dip("REBALANCING")),
                Duration.ofSeconds(30), clock);
        assertThat(check.check().up()).isTrue();
        up.set(false);
        assertThat(check.check().up()).isTrue();
        now = now.minus(Duration.ofHours(1)); // stepped back
        assertThat(check.check().up()).as("the dip counts from the step").isTrue();
        now = now.plusSeconds(31);
        assertThat(check.check().up()).as("past the grace on the stepped clock").isFalse();
    }
}
