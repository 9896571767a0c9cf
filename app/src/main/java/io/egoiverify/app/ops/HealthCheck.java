package io.egoiverify.app.ops;

import java.util.function.Supplier;

/** One readiness condition, e.g. "Kafka Streams is RUNNING". Implementations must be cheap and thread-safe. */
public interface HealthCheck {
    String name();

    /** The current state; {@code detail} is shown on /health/ready and must hold no secrets. */
    Status check();

    /**
     * @param up     the condition holds
     * @param detail shown on /health/ready
     * @param dip    when down: a passing state a ready component goes through (a rebalance, a group rejoin), which
     *               {@link GracefulCheck} tolerates for its grace; a down status without it (an error, a shutdown)
     *               turns readiness off at once
     */
    record Status(boolean up, String detail, boolean dip) {
        public Status(boolean up, String detail) {
            this(up, detail, false);
        }

        public static Status up(String detail) {
            return new Status(true, detail, false);
        }

        /** Down for good (until it recovers): no grace. */
        public static Status down(String detail) {
            return new Status(false, detail, false);
        }

        /** Down for a moment, as a healthy component sometimes is. */
        public static Status dip(String detail) {
            return new Status(false, detail, true);
        }
    }

    static HealthCheck of(String name, Supplier<Status> supplier) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Status check() {
                return supplier.get();
            }
        };
    }
}
