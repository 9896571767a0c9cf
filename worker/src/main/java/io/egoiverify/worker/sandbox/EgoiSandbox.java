package io.egoiverify.worker.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.egoiverify.worker.egoi.Dialect;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A stand-in for E-goi's Verify on loopback, for tests and the dev mode, speaking both dialects on one port: the
 * guide's payloads under {@code /api/public/sms/2fa/...} ({@link GuideEndpoints}) and E-goi's published V2 calls under
 * {@code /api/v2/...} ({@link V2Endpoints}). It generates codes by type and size, honours TTLs, keeps an outbox of the
 * SMS it "sent" (every code, resends included, in clear: it is a test double), counts calls, and injects
 * {@link Faults}, telling "not processed" (429, 503) from "processed, answer lost" (500, timeouts...). Replies are
 * scheduled, so a delay never holds a thread. Admin endpoints under {@code /_sandbox/} ({@link SandboxAdmin}).
 */
public final class EgoiSandbox implements AutoCloseable {
    public static final String GUIDE_BASE_PATH = "/api/public";
    public static final String GUIDE_SEND_PATH = "/sms/2fa/send";
    public static final String GUIDE_VALIDATE_PATH = "/sms/2fa/validate";
    /** The sandbox's own wrong-code status in the guide dialect (E-goi's is not documented). */
    public static final String WRONG_CODE_STATUS = GuideEndpoints.WRONG_CODE_STATUS;

    static {
        // The JDK server closes idle keep-alive connections beyond 200 (its default), which makes a pooled client with
        // hundreds of connections race against closes. Read once by the JDK when the first server is created; an
        // explicit -D setting wins.
        if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
            System.setProperty("sun.net.httpserver.maxIdleConnections", "20000");
        }
    }

    private final SandboxLedger ledger;
    private final GuideEndpoints guide;
    private final V2Endpoints v2;
    private final SandboxAdmin admin;
    private final Set<HttpExchange> unanswered = ConcurrentHashMap.newKeySet();
    private final AtomicInteger callsInProgress = new AtomicInteger();
    private final AtomicInteger maxCallsInProgress = new AtomicInteger();
    private volatile Faults faults = Faults.none();
    private HttpServer server;
    private ExecutorService handlers;
    private ScheduledExecutorService replies;

    public EgoiSandbox() {
        this(Clock.systemUTC());
    }

    public EgoiSandbox(Clock clock) {
        this(clock, SandboxOptions.defaults());
    }

    public EgoiSandbox(Clock clock, SandboxOptions options) {
        this.ledger = new SandboxLedger(clock);
        this.guide = new GuideEndpoints(ledger);
        this.v2 = new V2Endpoints(ledger, Objects.requireNonNull(options, "options"));
        this.admin = new SandboxAdmin(this, ledger);
    }

    /** Starts listening; port 0 picks a free port. */
    public synchronized EgoiSandbox start(String host, int port) throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        server = HttpServer.create(new InetSocketAddress(host, port), 4096);
        handlers = Executors.newFixedThreadPool(2, daemon("sandbox-http"));
        replies = Executors.newSingleThreadScheduledExecutor(daemon("sandbox-reply"));
        server.setExecutor(handlers);
        server.createContext(GUIDE_BASE_PATH + GUIDE_SEND_PATH, ex -> guide(ex, true));
        server.createContext(GUIDE_BASE_PATH + GUIDE_VALIDATE_PATH, ex -> guide(ex, false));
        server.createContext(V2Endpoints.PREFIX + "/", this::v2);
        server.createContext("/_sandbox/", ex -> reply(ex, admin.handle(ex.getRequestMethod(),
                ex.getRequestURI().getPath(), ex.getRequestBody().readAllBytes())));
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * The base URL to configure the client with for a dialect: {@code http://127.0.0.1:<port>/api} (V2) or
     * {@code http://127.0.0.1:<port>/api/public} (guide).
     */
    public URI baseUrl(Dialect dialect) {
        String root = "http://" + server.getAddress().getHostString() + ":" + port();
        return URI.create(root + (dialect == Dialect.V2 ? "/api" : GUIDE_BASE_PATH));
    }

    public Faults faults() {
        return faults;
    }

    public void setFaults(Faults faults) {
        this.faults = Objects.requireNonNull(faults, "faults");
    }

    public List<OutboxEntry> outbox() {
        return ledger.outbox();
    }

    /** The code of the last SMS sent to {@code number} (E-goi form, {@code 351-910000000}). */
    public Optional<String> lastCode(String number) {
        return ledger.lastCode(number);
    }

    /** Send calls received for {@code number} (E-goi form), faults included: counts duplicate sends. */
    public int sendCalls(String number) {
        return ledger.calls("send", number);
    }

    public Map<String, Integer> sendCallsByNumber() {
        return ledger.calls("send");
    }

    /** Validate calls received for E-goi's id of a verification. */
    public int validateCalls(String requestId) {
        return ledger.calls("validate", requestId);
    }

    /** Calls of {@code operation} ({@code validate}, {@code status}, {@code cancel}, {@code resend}) for an id. */
    public int calls(String operation, String requestId) {
        return ledger.calls(operation, requestId);
    }

    /** The most API calls that were received and not yet answered at one time (since start or reset). */
    public int maxConcurrentCalls() {
        return maxCallsInProgress.get();
    }

    /** Forgets verifications, outbox, counters and faults, and closes the calls it was holding unanswered. */
    public void reset() {
        faults = Faults.none();
        for (HttpExchange ex : unanswered) {
            if (unanswered.remove(ex)) {
                callsInProgress.decrementAndGet();
                ex.close();
            }
        }
        ledger.reset();
        maxCallsInProgress.set(callsInProgress.get());
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        unanswered.forEach(HttpExchange::close);
        unanswered.clear();
        replies.shutdownNow();
        handlers.shutdownNow();
        server = null;
    }

    private void guide(HttpExchange ex, boolean send) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if (!"POST".equals(ex.getRequestMethod())) {
            reply(ex, Reply.json(405, "{\"status\":\"Method_Not_Allowed\"}"));
            return;
        }
        Faults f = faults;
        answerLater(ex, () -> send ? guide.send(body, f) : guide.validate(body, f), f);
    }

    private void v2(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String path = ex.getRequestURI().getRawPath().substring(V2Endpoints.PREFIX.length());
        String key = ex.getRequestHeaders().getFirst("ApiKey");
        Faults f = faults;
        answerLater(ex, () -> v2.handle(ex.getRequestMethod(), path, key, body, f), f);
    }

    /** Computes the answer now (its effect happens now) and writes it after the drawn latency. */
    private void answerLater(HttpExchange ex, Supplier<Reply> call, Faults f) {
        maxCallsInProgress.accumulateAndGet(callsInProgress.incrementAndGet(), Math::max);
        Reply reply = call.get();
        long delayMicros = delayMicros(f);
        if (reply.stall()) {
            unanswered.add(ex);
        } else if (delayMicros == 0) {
            answer(ex, reply);
        } else {
            replies.schedule(() -> answer(ex, reply), delayMicros, TimeUnit.MICROSECONDS);
        }
    }

    private void answer(HttpExchange ex, Reply reply) {
        callsInProgress.decrementAndGet();
        reply(ex, reply);
    }

    private static long delayMicros(Faults f) {
        long min = f.latencyMin().toNanos() / 1000;
        long max = f.latencyMax().toNanos() / 1000;
        return max <= min ? min : ThreadLocalRandom.current().nextLong(min, max + 1);
    }

    private static void reply(HttpExchange ex, Reply reply) {
        try (ex) {
            if (reply.drop()) {
                return; // closing before any header closes the connection: the client sees no answer
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                ex.getResponseBody().write(bytes);
            }
        } catch (IOException | RuntimeException e) {
            // the client went away: nothing to do for a test double
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs the sandbox on its own: {@code java ... EgoiSandbox [host] [port]} (default 127.0.0.1 8089). */
    public static void main(String[] args) throws IOException, InterruptedException {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8089;
        EgoiSandbox sandbox = new EgoiSandbox().start(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close));
        System.out.println("E-goi sandbox listening on " + sandbox.baseUrl(Dialect.V2) + " (V2) and "
                + sandbox.baseUrl(Dialect.GUIDE) + " (guide)");
        Thread.currentThread().join();
    }
}
