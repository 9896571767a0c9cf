package io.egoiverify.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The forwarding hop's client against a real HTTP server on loopback. */
@Timeout(30)
class StatusClientTest {
    private final Set<Integer> connections = ConcurrentHashMap.newKeySet();
    private final Map<String, String> headers = new ConcurrentHashMap<>();
    private final CountDownLatch never = new CountDownLatch(1);
    private HttpServer server;

    @AfterEach
    void stop() {
        never.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    private URI serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/verifications/", ex -> {
            connections.add(ex.getRemoteAddress().getPort());
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            if (ex.getRequestURI().getPath().endsWith("/slow")) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = "{\"requestId\":\"r\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Retry-After", "1");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void keepsConnectionsAliveAcrossCalls() throws Exception {
        URI base = serve();
        try (StatusClient client = new StatusClient(Duration.ofSeconds(5), 8)) {
            for (int round = 0; round < 20; round++) {
                List<CompletableFuture<StatusClient.Reply>> calls = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    calls.add(client.get(base, "r-" + i, null, false));
                }
                for (CompletableFuture<StatusClient.Reply> call : calls) {
                    assertThat(call.get().code()).isEqualTo(200);
                }
            }
        }
        // a completed call once discarded its connection: 1,000 calls opened ~1,000 connections
        assertThat(connections).as("connections for 1,000 calls with a pool of 8").hasSizeLessThanOrEqualTo(8);
    }

    @Test
    void sendsTheTokenAndMarksTheHop() throws Exception {
        URI base = serve();
        try (StatusClient client = new StatusClient(Duration.ofSeconds(5), 1)) {
            StatusClient.Reply r = client.get(base, "r-1", "a-token-of-16-chars", true).get();
            assertThat(r.body()).contains("requestId");
            assertThat(r.retryAfter()).isEqualTo("1");
        }
        assertThat(headers).containsEntry("authorization", "Bearer a-token-of-16-chars")
                .containsEntry(StatusClient.FORWARDED_HEADER.toLowerCase(), "1");
    }

    @Test
    void aPeerThatDoesNotAnswerEndsAsAFailureNotAnException() throws Exception {
        URI base = serve();
        try (StatusClient client = new StatusClient(Duration.ofMillis(300), 1)) {
            StatusClient.Reply r = client.get(base, "slow", null, true).get();
            assertThat(r.answered()).isFalse();
            assertThat(r.failure()).isNotBlank();
            StatusClient.Reply refused = client.get(URI.create("http://127.0.0.1:1"), "r-1", null, true).get();
            assertThat(refused.answered()).isFalse();
        }
    }
}
