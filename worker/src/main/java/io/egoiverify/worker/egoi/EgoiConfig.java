package io.egoiverify.worker.egoi;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the client talks to E-goi.
 *
 * <p>The base URL and both paths are configuration because E-goi's document does not name the Verify endpoints: the
 * defaults ({@link #DEFAULT_BASE_URL}, {@link #DEFAULT_SEND_PATH}, {@link #DEFAULT_VALIDATE_PATH}) are ASSUMPTIONS, as is
 * {@link #DEFAULT_WRONG_CODE_STATUS} (the status the sandbox answers for a wrong code). See worker/README.md.
 *
 * @param baseUrl           e.g. {@code https://www51.e-goi.com/api/public}; no trailing slash needed
 * @param sendPath          path of the send call, appended to the base URL
 * @param validatePath      path of the validate call, appended to the base URL
 * @param connectTimeout    TCP/TLS connect timeout (a call that times out here certainly never reached E-goi)
 * @param responseTimeout   time to wait for the answer once the request is on the wire
 * @param maxConnections    size of the connection pool (calls in flight at once, HTTP/1.1)
 * @param ioThreads         I/O reactor threads
 * @param wrongCodeStatus   the {@code status} E-goi answers for a wrong code
 */
public record EgoiConfig(URI baseUrl, String sendPath, String validatePath, Duration connectTimeout,
                         Duration responseTimeout, int maxConnections, int ioThreads, String wrongCodeStatus) {
    public static final String DEFAULT_BASE_URL = "https://www51.e-goi.com/api/public";
    /** ASSUMPTION: not documented by E-goi. */
    public static final String DEFAULT_SEND_PATH = "/sms/2fa/send";
    /** ASSUMPTION: not documented by E-goi. */
    public static final String DEFAULT_VALIDATE_PATH = "/sms/2fa/validate";
    /** ASSUMPTION: E-goi's wrong-code status is not documented; this is the sandbox's. */
    public static final String DEFAULT_WRONG_CODE_STATUS = "Invalid_Code";

    public EgoiConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (!"https".equals(baseUrl.getScheme()) && !"http".equals(baseUrl.getScheme())) {
            throw new IllegalArgumentException("baseUrl must be http(s): " + baseUrl);
        }
        sendPath = path(sendPath, "sendPath");
        validatePath = path(validatePath, "validatePath");
        positive(connectTimeout, "connectTimeout");
        positive(responseTimeout, "responseTimeout");
        if (maxConnections < 1 || maxConnections > 20_000) {
            throw new IllegalArgumentException("maxConnections must be 1..20000: " + maxConnections);
        }
        if (ioThreads < 1 || ioThreads > 64) {
            throw new IllegalArgumentException("ioThreads must be 1..64: " + ioThreads);
        }
        if (wrongCodeStatus == null || wrongCodeStatus.isBlank()) {
            throw new IllegalArgumentException("wrongCodeStatus must not be blank");
        }
    }

    /** Production defaults (see the class comment for which values are assumptions). */
    public static EgoiConfig defaults() {
        return forBaseUrl(URI.create(DEFAULT_BASE_URL));
    }

    /** Defaults with another base URL, e.g. the sandbox's. */
    public static EgoiConfig forBaseUrl(URI baseUrl) {
        return new EgoiConfig(baseUrl, DEFAULT_SEND_PATH, DEFAULT_VALIDATE_PATH, Duration.ofSeconds(2),
                Duration.ofSeconds(5), 1024, Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())),
                DEFAULT_WRONG_CODE_STATUS);
    }

    public EgoiConfig withTimeouts(Duration connect, Duration response) {
        return new EgoiConfig(baseUrl, sendPath, validatePath, connect, response, maxConnections, ioThreads,
                wrongCodeStatus);
    }

    public EgoiConfig withMaxConnections(int max) {
        return new EgoiConfig(baseUrl, sendPath, validatePath, connectTimeout, responseTimeout, max, ioThreads,
                wrongCodeStatus);
    }

    URI sendUri() {
        return join(sendPath);
    }

    URI validateUri() {
        return join(validatePath);
    }

    private URI join(String path) {
        String base = baseUrl.toString();
        return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) + path : base + path);
    }

    private static String path(String p, String name) {
        if (p == null || !p.startsWith("/")) {
            throw new IllegalArgumentException(name + " must start with '/': " + p);
        }
        return p;
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
