package io.egoiverify.app.ops;

/** One readiness condition, e.g. "Kafka Streams is RUNNING". Implementations must be cheap and thread-safe. */
public interface HealthCheck {
    String name();

    /** The current state; {@code detail} is shown on /health/ready and must hold no secrets. */
    Status check();

    record Status(boolean up, String detail) {
        public static Status up(String detail) {
            return new Status(true, detail);
        }

        public static Status down(String detail) {
            return new Status(false, detail);
        }
    }

    static HealthCheck of(String name, java.util.function.Supplier<Status> supplier) {
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
