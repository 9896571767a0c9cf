package io.egoiverify.app.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Keeps a check "up" through short dips once it has been up: a registry blip or a rebalance makes Kafka Streams leave
 * RUNNING for a moment, and an orchestrator that pulls an instance out of service for that would only make it worse.
 * The check goes down when the underlying condition has been false for longer than {@code grace}.
 */
public final class GracefulCheck implements HealthCheck {
    private final HealthCheck delegate;
    private final Duration grace;
    private final Clock clock;
    private boolean everUp;
    private Instant downSince;

    public GracefulCheck(HealthCheck delegate, Duration grace, Clock clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.grace = Objects.requireNonNull(grace, "grace");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public synchronized Status check() {
        Status s = delegate.check();
        Instant now = clock.instant();
        if (s.up()) {
            everUp = true;
            downSince = null;
            return s;
        }
        if (!everUp) {
            return s;
        }
        if (downSince == null) {
            downSince = now;
        }
        Duration down = Duration.between(downSince, now);
        if (down.compareTo(grace) <= 0) {
            return Status.up(s.detail() + " (tolerated for " + down.toMillis() + " ms of " + grace.toMillis()
                    + " ms grace)");
        }
        return s;
    }
}
