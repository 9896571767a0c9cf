package io.egoiverify.worker.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for E-goi's Verify API on loopback, for tests and the dev mode. It implements the documented calls (code
 * generation by type and size, TTL, Verified / Expired / Already_Verified; a wrong code answers {@code Invalid_Code}
 * and keeps the request waiting), keeps an outbox of the SMS it "sent" (with the codes: it is a test double), counts
 * calls, and injects {@link Faults}. Replies are scheduled, so a delay never holds a thread.
 *
 * <p>Endpoints: {@code POST /api/public/sms/2fa/send}, {@code POST /api/public/sms/2fa/validate} (E-goi's JSON);
 * {@code GET /_sandbox/outbox}, {@code GET /_sandbox/counters}, {@code GET|PUT|DELETE /_sandbox/faults},
 * {@code POST /_sandbox/reset}. See worker/README.md.
 */
public final class EgoiSandbox implements AutoCloseable {
    public static final String BASE_PATH = "/api/public";
    public static final String SEND_PATH = "/sms/2fa/send";
    public static final String VALIDATE_PATH = "/sms/2fa/validate";
    /** The sandbox's own wrong-code status (E-goi's is not documented). */
    public static final String WRONG_CODE_STATUS = "Invalid_Code";

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK server closes idle keep-alive connections beyond 200 (its default), which makes a pooled client with
        // hundreds of connections race against closes. Read once by the JDK when the first server is created; an
        // explicit -D setting wins.
        if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
            System.setProperty("sun.net.httpserver.maxIdleConnections", "20000");
        }
    }

    private final SandboxLedger ledger;
    private final SandboxApi api;
    private final Set<HttpExchange> unanswered = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger callsInProgress = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger maxCallsInProgress = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Faults faults = Faults.none();
    private HttpServer server;
    private ExecutorService handlers;
    private ScheduledExecutorService replies;

    public EgoiSandbox() {
        this(Clock.systemUTC());
    }

    public EgoiSandbox(Clock clock) {
        this.ledger = new SandboxLedger(clock);
        this.api = new SandboxApi(ledger);
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
        server.createContext(BASE_PATH + SEND_PATH, ex -> api(ex, true));
        server.createContext(BASE_PATH + VALIDATE_PATH, ex -> api(ex, false));
        server.createContext("/_sandbox/", this::admin);
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL to configure the client with, e.g. {@code http://127.0.0.1:8089/api/public}. */
    public URI baseUrl() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + BASE_PATH);
    }

    public Faults faults() {
        return faults;
    }

    public void setFaults(Faults faults) {
        this.faults = java.util.Objects.requireNonNull(faults, "faults");
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
        return ledger.sendCalls(number);
    }

    public Map<String, Integer> sendCallsByNumber() {
        return ledger.sendCallsByNumber();
    }

    /** Validate calls received for E-goi {@code requestId}. */
    public int validateCalls(String requestId) {
        return ledger.validateCalls(requestId);
    }

    /** The most send/validate calls that were received and not yet answered at one time (since start or reset). */
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

    private void api(HttpExchange ex, boolean send) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if (!"POST".equals(ex.getRequestMethod())) {
            reply(ex, SandboxApi.Reply.json(405, "{\"status\":\"Method_Not_Allowed\"}"));
            return;
        }
        maxCallsInProgress.accumulateAndGet(callsInProgress.incrementAndGet(), Math::max);
        Faults f = faults;
        SandboxApi.Reply reply = send ? api.send(body, f) : api.validate(body, f);
        long delayMicros = delayMicros(f);
        if (reply.stall()) {
            unanswered.add(ex);
        } else if (delayMicros == 0) {
            answer(ex, reply);
        } else {
            replies.schedule(() -> answer(ex, reply), delayMicros, TimeUnit.MICROSECONDS);
        }
    }

    private void admin(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        byte[] body = ex.getRequestBody().readAllBytes();
        try {
            if (path.equals("/_sandbox/outbox") && method.equals("GET")) {
                ArrayNode list = JSON.createArrayNode();
                for (OutboxEntry e : ledger.outbox()) {
                    list.addObject().put("number", e.number()).put("text", e.text()).put("requestId", e.requestId())
                            .put("code", e.code()).put("sentAt", e.sentAt().toString());
                }
                reply(ex, SandboxApi.Reply.json(200, list.toString()));
            } else if (path.equals("/_sandbox/counters") && method.equals("GET")) {
                ObjectNode n = JSON.createObjectNode();
                n.set("sendCallsByNumber", JSON.valueToTree(ledger.sendCallsByNumber()));
                n.set("validateCallsByRequestId", JSON.valueToTree(ledger.validateCallsByRequestId()));
                reply(ex, SandboxApi.Reply.json(200, n.toString()));
            } else if (path.equals("/_sandbox/faults") && method.equals("GET")) {
                reply(ex, SandboxApi.Reply.json(200, FaultsJson.write(faults).toString()));
            } else if (path.equals("/_sandbox/faults") && method.equals("PUT")) {
                setFaults(FaultsJson.read(body));
                reply(ex, SandboxApi.Reply.json(200, FaultsJson.write(faults).toString()));
            } else if (path.equals("/_sandbox/faults") && method.equals("DELETE")) {
                setFaults(Faults.none());
                reply(ex, SandboxApi.Reply.json(200, FaultsJson.write(faults).toString()));
            } else if (path.equals("/_sandbox/reset") && method.equals("POST")) {
                reset();
                reply(ex, SandboxApi.Reply.json(200, "{}"));
            } else {
                reply(ex, SandboxApi.Reply.json(404, "{\"error\":\"no such sandbox endpoint\"}"));
            }
        } catch (IOException | IllegalArgumentException e) {
            ObjectNode err = JSON.createObjectNode().put("error", String.valueOf(e.getMessage()));
            reply(ex, SandboxApi.Reply.json(400, err.toString()));
        }
    }

    private void answer(HttpExchange ex, SandboxApi.Reply reply) {
        callsInProgress.decrementAndGet();
        reply(ex, reply);
    }

    private static long delayMicros(Faults f) {
        long min = f.latencyMin().toNanos() / 1000;
        long max = f.latencyMax().toNanos() / 1000;
        return max <= min ? min : ThreadLocalRandom.current().nextLong(min, max + 1);
    }

    private void reply(HttpExchange ex, SandboxApi.Reply reply) {
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

    private static java.util.concurrent.ThreadFactory daemon(String name) {
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
        System.out.println("E-goi sandbox listening on " + sandbox.baseUrl());
        Thread.currentThread().join();
    }
}
