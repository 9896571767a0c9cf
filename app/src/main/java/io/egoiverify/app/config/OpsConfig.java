package io.egoiverify.app.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Operations settings.
 *
 * @param enabled         serve the health and metrics endpoints
 * @param host            interface to bind
 * @param port            port (0 = any free port)
 * @param logFormat       {@code text} or {@code json}
 * @param logLevel        level of the application's loggers
 * @param shutdownTimeout bound on a graceful stop
 * @param readinessGrace  how long a component that was ready may dip before readiness turns false
 */
public record OpsConfig(boolean enabled, String host, int port, String logFormat, String logLevel,
                        Duration shutdownTimeout, Duration readinessGrace) {
    public OpsConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(readinessGrace, "readinessGrace");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
