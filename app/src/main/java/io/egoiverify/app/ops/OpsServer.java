package io.egoiverify.app.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoints on the JDK HTTP server: {@code /health/live} (the process answers), {@code /health/ready}
 * (every readiness check is up) and {@code /metrics} (Prometheus text format), plus the routes the runtime adds (the
 * status query).
 *
 * <p>The server's own threads read requests and answer health and metrics; none of those handlers waits on anything
 * (readiness checks read volatile state, and none runs once stopping). A route that may have work to wait for hands it
 * to a pool of its own, so that it never takes these threads.
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    /** Request reading plus health and metrics: a scrape may take a few ms, two can run while probes are answered. */
    private static final int THREADS = 4;
    private static final int BACKLOG = 512;
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";
    /** Seconds a client may take to send its request line and headers (the JDK's default: forever). */
    static final String MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";
    /** Seconds a client may take to read an answer once it has started. */
    static final String MAX_RESPONSE_TIME = "sun.net.httpserver.maxRspTime";
    /** How often the JDK's server checks those two, in milliseconds (default 1,000). */
    static final String TIMER_MILLIS = "sun.net.httpserver.timerMillis";
    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final List<HealthCheck> readiness = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();

    static {
        preferTcpNoDelay();
        boundClientTimes();
    }

    /**
     * Turns Nagle's algorithm off for the JDK HTTP server unless the JVM was told otherwise. It writes an answer's
     * headers and body separately, so with Nagle on the body waits for the client's delayed ACK (40 ms on Linux) and
     * every small answer takes 40 ms. The JDK reads the property once, when the first server of the JVM is created:
     * {@code Main} calls this before anything else.
     */
    public static void preferTcpNoDelay() {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
    }

    /**
     * Bounds the time a client may take to send its request (2 s) and to read an answer (60 s), unless the JVM was
     * told otherwise. The JDK's server reads a request on the same few threads that answer health and metrics, and
     * by default waits for it forever: four connections that send half a request would stop every answer, liveness
     * included, and get the pod restarted. With the bound such a client costs a probe at most a little over 2 s
     * (the manifests' liveness probe waits 3 s). Read once, like {@link #preferTcpNoDelay()}: {@code Main} calls this
     * first.
     */
    public static void boundClientTimes() {
        setUnlessSet(MAX_REQUEST_TIME, "2");
        setUnlessSet(MAX_RESPONSE_TIME, "60");
        setUnlessSet(TIMER_MILLIS, "250");
    }

    private static void setUnlessSet(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    public OpsServer(String host, int port, PrometheusMeterRegistry registry) throws IOException {
        this.registry = Objects.requireNonNull(registry, "registry");
        // A client that falls behind opens connections in a burst; a short accept queue would refuse them.
        this.server = HttpServer.create(new InetSocketAddress(host, port), BACKLOG);
        this.executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health/live", this::live);
        server.createContext("/health/ready", this::ready);
        server.createContext("/metrics", this::metrics);
    }

    public OpsServer start() {
        server.start();
        LOG.info("operations endpoints on http://{}:{}/ (health/live, health/ready, metrics)",
                server.getAddress().getHostString(), port());
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Serves {@code path} (and below) with {@code handler}; call before {@link #start()}. */
    public void route(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    public void addReadinessCheck(HealthCheck check) {
        readiness.add(Objects.requireNonNull(check, "check"));
    }

    /** From now on readiness answers 503, so that traffic drains while the process stops. */
    public void markStopping() {
        stopping.set(true);
    }

    /** Readiness as /health/ready computes it. */
    public boolean isReady() {
        if (stopping.get()) {
            return false;
        }
        for (HealthCheck c : readiness) {
            if (!c.check().up()) {
                return false;
            }
        }
        return true;
    }

    private void live(HttpExchange ex) throws IOException {
        respond(ex, 200, "application/json", "{\"status\":\"UP\"}");
    }

    private void ready(HttpExchange ex) throws IOException {
        if (stopping.get()) {
            // No check runs once stopping: a component being closed may take seconds to answer, and probes that wait
            // for it would hold every thread of this server (liveness and metrics included) for the whole close.
            respond(ex, 503, "application/json", "{\"checks\":{},\"status\":\"DOWN\",\"detail\":\"stopping\"}");
            return;
        }
        StringBuilder json = new StringBuilder("{\"checks\":{");
        boolean up = true;
        boolean first = true;
        for (HealthCheck c : readiness) {
            HealthCheck.Status s;
            try {
                s = c.check();
            } catch (RuntimeException e) {
                s = HealthCheck.Status.down("check failed: " + e.getClass().getSimpleName());
            }
            up &= s.up();
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append('"').append(escape(c.name())).append("\":{\"status\":\"").append(s.up() ? "UP" : "DOWN")
                    .append("\",\"detail\":\"").append(escape(s.detail())).append("\"}");
        }
        json.append("},\"status\":\"").append(up ? "UP" : "DOWN").append("\"}");
        respond(ex, up ? 200 : 503, "application/json", json.toString());
    }

    private void metrics(HttpExchange ex) throws IOException {
        respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", " ");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
