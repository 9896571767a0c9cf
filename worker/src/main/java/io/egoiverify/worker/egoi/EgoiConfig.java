package io.egoiverify.worker.egoi;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the client talks to E-goi: the dialect, its base URL, the HTTP transport, and the facts no source gives
 * (assumptions, configurable; see worker/README.md).
 *
 * @param dialect   {@link Dialect#V2} (E-goi's published API) or {@link Dialect#GUIDE} (the guide's payloads)
 * @param baseUrl   e.g. {@code https://slingshot.egoiapp.com/api}; the dialect's paths are appended
 * @param transport timeouts and pool
 * @param guide     the guide dialect's unsourced paths and wrong-code status (unused by V2)
 * @param statuses  what the V2 status call's {@code status} values mean (unused by the guide)
 */
public record EgoiConfig(Dialect dialect, URI baseUrl, Transport transport, GuideAssumptions guide,
                         StatusTable statuses) {

    public EgoiConfig {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (!"https".equals(baseUrl.getScheme()) && !"http".equals(baseUrl.getScheme())) {
            throw new IllegalArgumentException("baseUrl must be http(s): " + baseUrl);
        }
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(guide, "guide");
        Objects.requireNonNull(statuses, "statuses");
    }

    /** Production defaults of a dialect (its E-goi base URL; the assumptions' defaults). */
    public static EgoiConfig defaults(Dialect dialect) {
        return forBaseUrl(dialect, dialect.defaultBaseUrl());
    }

    /** Defaults with another base URL, e.g. the sandbox's. */
    public static EgoiConfig forBaseUrl(Dialect dialect, URI baseUrl) {
        return new EgoiConfig(dialect, baseUrl, Transport.defaults(), GuideAssumptions.defaults(),
                StatusTable.defaults());
    }

    public EgoiConfig withTimeouts(Duration connect, Duration response) {
        return withTransport(new Transport(connect, response, transport.maxConnections(), transport.ioThreads(),
                transport.proxy()));
    }

    public EgoiConfig withMaxConnections(int max) {
        return withTransport(new Transport(transport.connectTimeout(), transport.responseTimeout(), max,
                transport.ioThreads(), transport.proxy()));
    }

    /** The same transport through {@code proxy} (null: direct). */
    public EgoiConfig withProxy(Proxy proxy) {
        return withTransport(new Transport(transport.connectTimeout(), transport.responseTimeout(),
                transport.maxConnections(), transport.ioThreads(), proxy));
    }

    public EgoiConfig withTransport(Transport t) {
        return new EgoiConfig(dialect, baseUrl, t, guide, statuses);
    }

    public EgoiConfig withGuide(GuideAssumptions g) {
        return new EgoiConfig(dialect, baseUrl, transport, g, statuses);
    }

    public EgoiConfig withStatuses(StatusTable s) {
        return new EgoiConfig(dialect, baseUrl, transport, guide, s);
    }

    /**
     * @param connectTimeout  TCP/TLS connect timeout (a call that times out here certainly never reached E-goi)
     * @param responseTimeout time to wait for the answer once the request is on the wire
     * @param maxConnections  size of the connection pool (calls in flight at once, HTTP/1.1)
     * @param ioThreads       I/O reactor threads
     * @param proxy           the forward proxy E-goi's calls go through, or null: direct
     */
    public record Transport(Duration connectTimeout, Duration responseTimeout, int maxConnections, int ioThreads,
                            Proxy proxy) {
        public Transport {
            positive(connectTimeout, "connectTimeout");
            positive(responseTimeout, "responseTimeout");
            if (maxConnections < 1 || maxConnections > 20_000) {
                throw new IllegalArgumentException("maxConnections must be 1..20000: " + maxConnections);
            }
            if (ioThreads < 1 || ioThreads > 64) {
                throw new IllegalArgumentException("ioThreads must be 1..64: " + ioThreads);
            }
        }

        /** Direct, without a proxy. */
        public Transport(Duration connectTimeout, Duration responseTimeout, int maxConnections, int ioThreads) {
            this(connectTimeout, responseTimeout, maxConnections, ioThreads, null);
        }

        /** 2 s connect, 5 s response, 1024 connections, 1-2 I/O threads, direct. */
        public static Transport defaults() {
            return new Transport(Duration.ofSeconds(2), Duration.ofSeconds(5), 1024,
                    Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
        }
    }

    /**
     * A forward HTTP proxy for E-goi's calls: an https base URL is tunnelled with CONNECT (TLS with E-goi runs end to
     * end through it), an http one is sent to the proxy in absolute form. The connection to the proxy itself is plain
     * HTTP: HttpClient 5.6's async client cannot run E-goi's TLS inside a TLS connection to the proxy.
     *
     * @param host     the proxy's host name or address (an IPv6 address without brackets)
     * @param port     its port
     * @param userInfo {@code user:password} for Basic or Digest proxy authentication, or null; never shown
     */
    public record Proxy(String host, int port, String userInfo) {
        public Proxy {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("proxy host must not be blank");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("proxy port must be 1..65535: " + port);
            }
            if (userInfo != null && userInfo.indexOf(':') < 1) {
                throw new IllegalArgumentException("proxy credentials must be user:password"); // never echoed
            }
        }

        public String user() {
            return userInfo == null ? null : userInfo.substring(0, userInfo.indexOf(':'));
        }

        public char[] password() {
            return userInfo == null ? null : userInfo.substring(userInfo.indexOf(':') + 1).toCharArray();
        }

        /** {@code host:port}, for logs: never the credentials. */
        public String address() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }

        @Override
        public String toString() {
            return "http://" + address() + (userInfo == null ? "" : " (with credentials)");
        }
    }

    /**
     * The guide dialect's facts that no source gives. The guide shows payloads only; the paths and the wrong-code
     * status
     * are ASSUMPTIONS ({@link #DEFAULT_SEND_PATH}, {@link #DEFAULT_VALIDATE_PATH}: the older API's style;
     * {@link #DEFAULT_WRONG_CODE_STATUS}: the sandbox's own).
     *
     * @param sendPath        path of the send call, appended to the base URL
     * @param validatePath    path of the validate call, appended to the base URL
     * @param wrongCodeStatus the {@code status} E-goi answers for a wrong code
     */
    public record GuideAssumptions(String sendPath, String validatePath, String wrongCodeStatus) {
        /** ASSUMPTION: not documented by E-goi. */
        public static final String DEFAULT_SEND_PATH = "/sms/2fa/send";
        /** ASSUMPTION: not documented by E-goi. */
        public static final String DEFAULT_VALIDATE_PATH = "/sms/2fa/validate";
        /** ASSUMPTION: E-goi's wrong-code status is not documented; this is the sandbox's. */
        public static final String DEFAULT_WRONG_CODE_STATUS = "Invalid_Code";

        public GuideAssumptions {
            sendPath = path(sendPath, "sendPath");
            validatePath = path(validatePath, "validatePath");
            if (wrongCodeStatus == null || wrongCodeStatus.isBlank()) {
                throw new IllegalArgumentException("wrongCodeStatus must not be blank");
            }
        }

        public static GuideAssumptions defaults() {
            return new GuideAssumptions(DEFAULT_SEND_PATH, DEFAULT_VALIDATE_PATH, DEFAULT_WRONG_CODE_STATUS);
        }

        private static String path(String p, String name) {
            if (p == null || !p.startsWith("/")) {
                throw new IllegalArgumentException(name + " must start with '/': " + p);
            }
            return p;
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
