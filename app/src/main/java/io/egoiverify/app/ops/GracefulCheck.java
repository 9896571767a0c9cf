package io.egoiverify.app.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Readiness of a component that must have been up once: down until the delegate first reports up (Kafka Streams
 * RUNNING, the worker joined), then kept up through short dips ({@link HealthCheck.Status#dip}): a registry blip or a
 * rebalance makes Streams leave RUNNING for a moment, and an orchestrator that pulls an instance out of service for
 * that would only make it worse. A dip longer than {@code grace}, or any other down status (an error, a shutdown),
 * turns the check down at once.
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
            return Status.down(s.detail() + " (not up yet since start)");
        }
        if (downSince == null || now.isBefore(downSince)) {
            // A clock stepped back restarts the dip: counted from before the step, the dip came out negative and was
            // tolerated until the clock caught up (an hour for an hour's step). At most twice the grace this way.
            downSince = now;
        }
        if (!s.dip()) {
            return Status.down(s.detail());
        }
        Duration down = Duration.between(downSince, now);
        if (down.compareTo(grace) <= 0) {
            return Status.up(s.detail() + " (tolerated for " + down.toMillis() + " ms of " + grace.toMillis()
                    + " ms grace)");
        }
        return Status.down(s.detail());
    }
}
