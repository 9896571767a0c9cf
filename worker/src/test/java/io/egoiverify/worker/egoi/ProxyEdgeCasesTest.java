package io.egoiverify.worker.egoi;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.testing.ForwardProxy;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.SandboxOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edges of the proxy path on loopback: a kept-alive tunnel that dies once a request went through it, and a proxy that
 * never finishes answering a CONNECT.
 */
@Timeout(60)
class ProxyEdgeCasesTest {
    static final SenderProfile PROFILE = SenderProfile.v2("default", "v2-key", "1");

    @TempDir
    Path dir;
    final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "proxy-edge-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    static EgoiResult await(CompletableFuture<EgoiResult> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    static SendRequest send() {
        return new SendRequest("+351910000001", "numeric", 6, 60, "Your code: {CODE}", null);
    }

    /**
     * A pooled, already-tunnelled connection: the first call on it is answered, the second is read in full by the
     * target and the tunnel then closes without an answer (as when the proxy drops it). The request reached the
     * target: the outcome is unknown, never "not delivered" (the worker would send a second SMS).
     */
    @Test
    void aKeptAliveTunnelThatClosesAfterTheRequestWentThroughIsAnUnknownOutcome() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            threads.execute(() -> answerFirstThenDrop(target, requests));
            try (TlsFront front = TlsFront.of(dir, target.getLocalPort()); ForwardProxy proxy = new ForwardProxy()) {
                EgoiConfig config = EgoiConfig.forBaseUrl(Dialect.V2, front.url("/api"))
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3)).withMaxConnections(1)
                        .withProxy(new EgoiConfig.Proxy(proxy.host(), proxy.port(), null));
                try (EgoiClient client = front.client(config)) {
                    EgoiResult first = await(client.status(PROFILE, "some-id"));
                    assertThat(first.delivery()).isEqualTo(EgoiResult.Delivery.ANSWERED);
                    EgoiResult second = await(client.send(PROFILE, send()));
                    assertThat(requests.get()).as("the target read both requests").isEqualTo(2);
                    assertThat(proxy.tunnels()).as("one tunnel, kept alive and reused").isEqualTo(1);
                    assertThat(second.delivery()).as(second.describe()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
                }
            }
        }
    }

    /**
     * A proxy that starts its CONNECT answer and then trickles it a byte at a time (the socket timeout never fires).
     * The exchange limit ends the call, as not delivered (nothing was written inside a tunnel that never opened); the
     * connection to the proxy must be closed with it, or the one pooled connection stays leased and every later call
     * waits for the pool.
     */
    @Test
    void aConnectAnswerTrickledPastTheExchangeLimitIsAbortedAndItsConnectionClosed() throws Exception {
        AtomicInteger connects = new AtomicInteger();
        CountDownLatch firstClosed = new CountDownLatch(1);
        try (ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            threads.execute(() -> trickleConnects(proxy, connects, firstClosed));
            EgoiConfig config = EgoiConfig.forBaseUrl(Dialect.V2, URI.create("https://127.0.0.1:9/api"))
                    .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(1)).withMaxConnections(1)
                    .withProxy(new EgoiConfig.Proxy("127.0.0.1", proxy.getLocalPort(), null));
            try (EgoiClient client = new EgoiClient(config)) {
                long started = System.nanoTime();
                EgoiResult first = await(client.send(PROFILE, send()));
                assertThat(first.delivery()).as(first.describe()).isEqualTo(EgoiResult.Delivery.NOT_DELIVERED);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
                assertThat(firstClosed.await(5, TimeUnit.SECONDS))
                        .as("the client closed its connection to the trickling proxy").isTrue();
                EgoiResult second = await(client.send(PROFILE, send()));
                assertThat(second).as("the pool was free for the next call").isNotEqualTo(
                        new EgoiResult.Timeout(EgoiResult.Phase.POOL));
                assertThat(connects.get()).isEqualTo(2);
            }
        }
    }

    /**
     * With credentials, plain-http calls through an authenticating proxy: how many of them the proxy had to refuse
     * with a 407 before HttpClient answered the challenge (each such refusal is the request, body and all, twice).
     */
    @Test
    void plainHttpCallsWithCredentialsAreNotChallengedEveryTime() throws Exception {
        try (EgoiSandbox sandbox = new EgoiSandbox(Clock.systemUTC(), SandboxOptions.defaults().withApiKey("v2-key"))
                .start("127.0.0.1", 0); ForwardProxy proxy = new ForwardProxy()) {
            proxy.requireCredentials("egress:pr0xy-s3cret");
            EgoiConfig config = EgoiConfig.forBaseUrl(Dialect.V2, sandbox.baseUrl(Dialect.V2))
                    .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3))
                    .withProxy(new EgoiConfig.Proxy(proxy.host(), proxy.port(), "egress:pr0xy-s3cret"));
            try (EgoiClient client = new EgoiClient(config)) {
                for (int i = 0; i < 3; i++) {
                    assertThat(await(client.status(PROFILE, "id-" + i)).delivery())
                            .isEqualTo(EgoiResult.Delivery.ANSWERED);
                }
            }
            assertThat(proxy.authorized()).isEqualTo(3);
            assertThat(proxy.refused()).as("407 challenges for 3 calls").isLessThanOrEqualTo(1);
        }
    }

    /** Answers the first request of a connection with a 200, reads the second in full and closes. */
    private static void answerFirstThenDrop(ServerSocket server, AtomicInteger requests) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                readRequest(in);
                requests.incrementAndGet();
                byte[] body = "{\"status\":\"pending\"}".getBytes(StandardCharsets.US_ASCII);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                readRequest(in);
                requests.incrementAndGet();
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** Starts every CONNECT answer and trickles a header byte every 200 ms until the client goes away. */
    private static void trickleConnects(ServerSocket server, AtomicInteger connects, CountDownLatch firstClosed) {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            int n = connects.incrementAndGet();
            new Thread(() -> {
                try (s) {
                    readRequest(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 Connection established\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    for (int i = 0; i < 300; i++) {
                        Thread.sleep(200); // the slow proxy's own pace (what is tested), not a wait for a result
                        out.write('a');
                        out.flush();
                    }
                } catch (IOException | InterruptedException gone) {
                    if (n == 1) {
                        firstClosed.countDown();
                    }
                }
            }).start();
        }
    }

    /** Reads one request head and its body (Content-Length); fails at the end of the stream. */
    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        if (in.readNBytes(length).length < length) {
            throw new IOException("closed");
        }
    }
}
