package io.egoiverify.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.ops.OpsServer;
import io.egoiverify.lifecycle.streams.StatusQuery;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The endpoint's own rules, before any state is read (the real lookups: StatusQueryIT). */
@Timeout(30)
class StatusEndpointTest {
    private static final String TOKEN = "endpoint-test-token-0123";
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService pool = Executors.newFixedThreadPool(1);
    private final StatusClient client = new StatusClient(Duration.ofSeconds(1), 4);
    private OpsServer ops;

    @AfterEach
    void stop() {
        if (ops != null) {
            ops.close();
        }
        pool.shutdownNow();
        client.close();
    }

    private OpsServer serve(com.sun.net.httpserver.HttpHandler endpoint) throws Exception {
        ops = new OpsServer("127.0.0.1", 0, registry);
        ops.route(StatusEndpoint.PATH, endpoint);
        return ops.start();
    }

    private HttpResponse<String> get(String path, String auth) throws Exception {
        return http.send(request(path, auth), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, String auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path))
                .timeout(Duration.ofSeconds(3));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return b.build();
    }

    @Test
    void refusesWithoutTheTokenThenAnswers503UntilTheLifecycleRuns() throws Exception {
        serve(new StatusEndpoint(client, pool, 16, TOKEN, null, registry));
        HttpResponse<String> noToken = get("/verifications/r-1", null);
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(noToken.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"egoi-verify\"");
        assertThat(get("/verifications/r-1", "Bearer not-" + TOKEN).statusCode()).isEqualTo(401);
        assertThat(get("/verifications/r-1", TOKEN).statusCode()).as("the scheme is required").isEqualTo(401);

        HttpResponse<String> starting = get("/verifications/r-1", "Bearer " + TOKEN);
        assertThat(starting.statusCode()).isEqualTo(503);
        assertThat(starting.headers().firstValue("Retry-After")).contains("1");
        assertThat(starting.body()).contains("starting");
    }

    @Test
    void duringARotationBothTokensAreAcceptedAndNoOther() throws Exception {
        String second = "the-second-token-9876543210";
        serve(new StatusEndpoint(client, pool, 16, TOKEN, second, registry));
        // past the token check, the lifecycle is not running yet: 503
        assertThat(get("/verifications/r-1", "Bearer " + TOKEN).statusCode()).isEqualTo(503);
        assertThat(get("/verifications/r-1", "Bearer " + second).statusCode()).isEqualTo(503);
        assertThat(get("/verifications/r-1", "Bearer " + second + "x").statusCode()).isEqualTo(401);
        assertThat(get("/verifications/r-1", "Bearer " + TOKEN + " " + second).statusCode()).isEqualTo(401);
        assertThat(get("/verifications/r-1", null).statusCode()).isEqualTo(401);
    }

    @Test
    void answersAreNotHeldBackByNaglesAlgorithm() throws Exception {
        serve(StatusEndpoint.notHosted("worker"));
        // headers and body are two writes: with Nagle on, the body would wait for the client's delayed ACK (40 ms)
        assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
    }

    @Test
    void aMalformedIdIsUnknownAndOnlyGetIsServed() throws Exception {
        serve(new StatusEndpoint(client, pool, 16, null, null, registry));
        for (String path : new String[] {"/verifications/", "/verifications/a/b", "/verifications/"
                + "x".repeat(65), "/verifications/a%20b"}) {
            assertThat(get(path, null).statusCode()).as(path).isEqualTo(404);
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port()
                + "/verifications/r-1")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    }

    @Test
    void anOwnerAddressNoUriCanCarryIsAnswered503AndGivesItsPermitBack() throws Exception {
        // A scoped IPv6 address (what a peer's application.server may hold) cannot be written in a URI.
        StatusEndpoint endpoint = new StatusEndpoint(client, pool, 2, null, null, registry);
        endpoint.serve(id -> new StatusQuery.Elsewhere("fe80::1%eth0", 8080));
        serve(endpoint);
        for (int i = 0; i < 5; i++) { // more than the 2 permits: each must come back
            HttpResponse<String> r = get("/verifications/r-" + i, null);
            assertThat(r.statusCode()).as("query %d", i).isEqualTo(503);
            assertThat(r.body()).contains("did not answer");
        }
    }

    @Test
    void anIpv6OwnerIsReachedInBrackets() throws Exception {
        OpsServer owner = new OpsServer("::1", 0, registry);
        StatusEndpoint ownerEndpoint = new StatusEndpoint(client, pool, 4, null, null, registry);
        ownerEndpoint.serve(id -> new StatusQuery.NotFound());
        owner.route(StatusEndpoint.PATH, ownerEndpoint);
        owner.start();
        try {
            StatusEndpoint endpoint = new StatusEndpoint(client, pool, 4, null, null, registry);
            endpoint.serve(id -> new StatusQuery.Elsewhere("::1", owner.port()));
            serve(endpoint);
            HttpResponse<String> r = get("/verifications/r-1", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
            assertThat(r.headers().firstValue(StatusEndpoint.SERVED_HEADER)).contains("forwarded");
        } finally {
            owner.close();
        }
    }

    @Test
    void aWorkerOnlyInstanceSaysItDoesNotHostTheLifecycle() throws Exception {
        serve(StatusEndpoint.notHosted("worker"));
        HttpResponse<String> r = get("/verifications/r-1", null);
        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(r.body()).contains("role=worker").contains("does not host the lifecycle");
    }

    @Test
    void queriesNeverStarveHealthAndExcessIsShedAtOnce() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        pool.execute(() -> {
            try {
                busy.await();       // the query pool's only thread is taken
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        serve(new StatusEndpoint(client, pool, 4, null, null, registry));
        List<CompletableFuture<HttpResponse<String>>> queries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queries.add(http.sendAsync(request("/verifications/r-" + i, null), HttpResponse.BodyHandlers.ofString()));
        }
        // Six of the ten are shed at once; the other four wait for the pool. Health does not wait for anything.
        assertThat(get("/health/live", null).statusCode()).isEqualTo(200);
        assertThat(get("/metrics", null).statusCode()).isEqualTo(200);
        long shed = 0;
        for (CompletableFuture<HttpResponse<String>> q : queries) {
            if (q.isDone() || waitBriefly(q)) {
                shed++;
            }
        }
        busy.countDown();
        for (CompletableFuture<HttpResponse<String>> q : queries) {
            assertThat(q.get().statusCode()).isEqualTo(503);
            assertThat(q.get().headers().firstValue("Retry-After")).isPresent();
        }
        assertThat(shed).isEqualTo(6);
        assertThat(queries.stream().filter(q -> q.join().body().contains("too many")).count()).isEqualTo(6);
    }

    private static boolean waitBriefly(CompletableFuture<?> f) {
        try {
            f.get(500, java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
