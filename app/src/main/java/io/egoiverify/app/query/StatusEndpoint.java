package io.egoiverify.app.query;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.egoiverify.lifecycle.streams.StatusQuery;
import io.egoiverify.lifecycle.streams.StatusQuery.Answer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /verifications/{requestId}}: answered from this instance's state when it holds the key, fetched from the
 * instance that does otherwise (one hop: a forwarded request is never forwarded again), 503 with {@code Retry-After}
 * while no active copy can answer, 404 for an unknown, purged or malformed id, 401 without the configured token.
 *
 * <p>Runs on its own small pool so that queries never take the threads that answer {@code /health} and
 * {@code /metrics}; no thread waits for the hop (the client is asynchronous). At most {@code maxPending} queries are in
 * progress; past that the answer is 503 at once.
 */
public final class StatusEndpoint implements HttpHandler {
    public static final String PATH = "/verifications/";
    /** Tells a caller where the answer came from: {@code local} or {@code forwarded}. */
    public static final String SERVED_HEADER = "Egoi-Verify-Served";
    private static final Logger LOG = LoggerFactory.getLogger(StatusEndpoint.class);
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final String RETRY_AFTER_SECONDS = "1";

    private final StatusClient client;
    private final ExecutorService pool;
    private final Semaphore pending;
    private final String token;
    /** Authorization header values accepted: none = no token required. */
    private final List<byte[]> acceptedAuth;
    private final QueryMeters meters;
    private volatile Function<String, Answer> lookup;

    /**
     * @param client      the forwarding hop
     * @param pool        where queries run (small: a lookup takes microseconds and the hop does not block)
     * @param maxPending  queries in progress at most
     * @param token       bearer token a request must carry, or null; sent on the forwarding hop
     * @param secondToken a second bearer token accepted besides {@code token} (never sent), or null: two tokens
     *                    let a rotation go without refusals
     * @param registry    where the query meters go
     */
    public StatusEndpoint(StatusClient client, ExecutorService pool, int maxPending, String token,
                          String secondToken, MeterRegistry registry) {
        this.client = Objects.requireNonNull(client, "client");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.pending = new Semaphore(maxPending);
        this.token = token;
        this.acceptedAuth = Stream.of(token, secondToken).filter(Objects::nonNull)
                .map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8)).toList();
        this.meters = new QueryMeters(registry);
    }

    /** From now on queries are answered from {@code q}; before, they get 503 (the lifecycle is starting). */
    public void serve(StatusQuery q) {
        Objects.requireNonNull(q, "query");
        serve(q::lookup);
    }

    /** As {@link #serve(StatusQuery)}, with any lookup (tests). */
    void serve(Function<String, Answer> lookup) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            Replies.send(ex, 405, StatusJson.error("only GET"));
            return;
        }
        if (!authorized(ex)) {
            meters.refused("unauthorized");
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"egoi-verify\"");
            Replies.send(ex, 401, StatusJson.error("a bearer token is required"));
            return;
        }
        String id = requestId(ex.getRequestURI());
        if (id == null) {
            meters.refused("malformed_id");
            Replies.send(ex, 404, StatusJson.error("no verification with this requestId"));
            return;
        }
        if (!pending.tryAcquire()) {
            meters.refused("overloaded");
            Replies.unavailable(ex, RETRY_AFTER_SECONDS, "too many status queries in progress");
            return;
        }
        long started = System.nanoTime();
        try {
            pool.execute(() -> answer(ex, id, started));
        } catch (RuntimeException e) {
            pending.release();
            Replies.unavailable(ex, RETRY_AFTER_SECONDS, "stopping");
        }
    }

    private void answer(HttpExchange ex, String id, long started) {
        boolean async = false;
        try {
            Function<String, Answer> l = lookup;
            Answer a = l == null ? new StatusQuery.Unavailable("starting") : l.apply(id);
            if (a instanceof StatusQuery.Elsewhere && ex.getRequestHeaders()
                    .containsKey(StatusClient.FORWARDED_HEADER)) {
                // Our metadata and the forwarder's disagree: partitions are moving. Never a second hop.
                a = new StatusQuery.Unavailable("partition moving");
            }
            if (a instanceof StatusQuery.Elsewhere where) {
                async = true;
                forward(ex, id, where, started);
                return;
            }
            ex.getResponseHeaders().set(SERVED_HEADER, "local");
            if (a instanceof StatusQuery.Found found) {
                Replies.send(ex, 200, StatusJson.of(found.view()));
                meters.served("local", "found", started);
            } else if (a instanceof StatusQuery.NotFound) {
                Replies.send(ex, 404, StatusJson.error("no verification with this requestId"));
                meters.served("local", "not_found", started);
            } else {
                Replies.unavailable(ex, RETRY_AFTER_SECONDS, "the state is not queryable now ("
                        + ((StatusQuery.Unavailable) a).reason() + ")");
                meters.served("local", "unavailable", started);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("status query answer failed: {}", e.toString());
            ex.close();
        } finally {
            if (!async) {
                pending.release();
            }
        }
    }

    private void forward(HttpExchange ex, String id, StatusQuery.Elsewhere where, long started) {
        hop(id, where).whenComplete((r, e) -> onPool(() -> {
            try {
                ex.getResponseHeaders().set(SERVED_HEADER, "forwarded");
                if (r != null && (r.code() == 200 || r.code() == 404 || r.code() == 503)) {
                    if (r.code() == 503) {
                        ex.getResponseHeaders().set("Retry-After", r.retryAfter() == null ? RETRY_AFTER_SECONDS
                                : r.retryAfter());
                    }
                    Replies.send(ex, r.code(), r.body());
                    meters.served("forwarded", r.code() == 200 ? "found" : r.code() == 404 ? "not_found"
                            : "unavailable", started);
                } else {
                    // Unreachable, timed out, or an answer a peer should not give (401: tokens differ between
                    // instances): the caller may ask again; the owner may have moved by then.
                    String why = r == null ? String.valueOf(e) : r.answered() ? "answered " + r.code()
                            : r.failure();
                    LOG.debug("status query for a key held by {}:{} failed: {}", where.host(), where.port(), why);
                    Replies.unavailable(ex, RETRY_AFTER_SECONDS, "the instance holding this verification did not "
                            + "answer");
                    meters.served("forwarded", "unavailable", started);
                }
            } catch (IOException | RuntimeException failure) {
                LOG.debug("status query answer failed: {}", failure.toString());
                ex.close();
            } finally {
                pending.release();
            }
        }));
    }

    /**
     * The hop to the instance holding the key. Never throws: an address a URI cannot carry (a scoped IPv6 address)
     * or a client that refuses the call gives a failed hop, answered 503 like an owner that does not answer, and the
     * query's permit is released there. An IPv6 literal is bracketed by the URI constructor.
     */
    private CompletableFuture<StatusClient.Reply> hop(String id, StatusQuery.Elsewhere where) {
        try {
            URI owner = new URI("http", null, where.host(), where.port(), null, null, null);
            return client.get(owner, id, token, true);
        } catch (URISyntaxException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Off the HTTP client's I/O thread; inline once the pool is shut down (the process is stopping). */
    private void onPool(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private boolean authorized(HttpExchange ex) {
        if (acceptedAuth.isEmpty()) {
            return true;
        }
        String given = ex.getRequestHeaders().getFirst("Authorization");
        if (given == null) {
            return false;
        }
        byte[] bytes = given.trim().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] accepted : acceptedAuth) {
            match |= MessageDigest.isEqual(accepted, bytes); // every candidate compared: no early exit to time
        }
        return match;
    }

    /** For an instance without the lifecycle (role {@code worker}): says so, whatever the id. */
    public static HttpHandler notHosted(String role) {
        String body = StatusJson.error("this instance runs role=" + role + " and does not host the lifecycle: ask an "
                + "instance with role state or all");
        return ex -> Replies.send(ex, 501, body);
    }

    /** The id from {@code /verifications/{id}}, or null when the path holds no valid one. */
    static String requestId(URI uri) {
        String path = uri.getPath();
        if (path == null || !path.startsWith(PATH)) {
            return null;
        }
        String id = path.substring(PATH.length());
        return REQUEST_ID.matcher(id).matches() ? id : null;
    }
}
