package io.egoiverify.app.query;

import io.egoiverify.worker.egoi.WireLogGuard;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * {@code GET /verifications/{requestId}} against one instance, over one pooled asynchronous HttpClient 5 per process:
 * the forwarding hop of the status query and the {@code status} command. Every call is bounded by {@code timeout} as
 * a whole (connect, request and response) and never retried; futures never complete exceptionally.
 */
public final class StatusClient implements AutoCloseable {
    /** Marks the forwarding hop: the instance it reaches answers from its own state or says 503, never forwards. */
    public static final String FORWARDED_HEADER = "Egoi-Verify-Forwarded";
    private final CloseableHttpAsyncClient http;
    private final Duration timeout;

    /** What an instance answered, or why there is no answer ({@code code} 0). */
    public record Reply(int code, String body, String retryAfter, String failure) {
        static Reply failed(String why) {
            return new Reply(0, null, null, why);
        }

        public boolean answered() {
            return code > 0;
        }
    }

    public StatusClient(Duration timeout, int maxConnections) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        // At DEBUG the header logger would print the bearer token.
        WireLogGuard.forceOff();
        Timeout t = Timeout.of(timeout);
        this.http = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(maxConnections)
                        .setMaxConnPerRoute(maxConnections)
                        // A kept-alive connection the peer has closed meanwhile would fail the one try a hop gets.
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t)
                                .setSocketTimeout(t).setValidateAfterInactivity(TimeValue.ofSeconds(1)).build())
                        .build())
                .evictIdleConnections(TimeValue.ofSeconds(10))
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).setSoTimeout(t)
                        .setTcpNoDelay(true).build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(t)
                        .setResponseTimeout(t).build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
        http.start();
    }

    /**
     * @param base      an instance's operations URL, e.g. {@code http://10.0.0.7:8080}
     * @param requestId the verification (already checked to need no escaping)
     * @param token     the bearer token, or null
     * @param forwarded true for the forwarding hop
     */
    public CompletableFuture<Reply> get(URI base, String requestId, String token, boolean forwarded) {
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        SimpleRequestBuilder b = SimpleRequestBuilder.get(URI.create(root + "verifications/" + requestId))
                .addHeader("Accept", "application/json");
        if (token != null) {
            b.addHeader("Authorization", "Bearer " + token);
        }
        if (forwarded) {
            b.addHeader(FORWARDED_HEADER, "1");
        }
        SimpleHttpRequest request = b.build();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Future<SimpleHttpResponse> call;
        try {
            call = http.execute(SimpleRequestProducer.create(request), SimpleResponseConsumer.create(), null, null,
                    new FutureCallback<>() {
                        @Override
                        public void completed(SimpleHttpResponse r) {
                            Header retryAfter = r.getFirstHeader("Retry-After");
                            byte[] body = r.getBodyBytes();
                            reply.complete(new Reply(r.getCode(), body == null ? ""
                                    : new String(body, StandardCharsets.UTF_8),
                                    retryAfter == null ? null : retryAfter.getValue(), null));
                        }

                        @Override
                        public void failed(Exception e) {
                            reply.complete(Reply.failed(e.getClass().getSimpleName()));
                        }

                        @Override
                        public void cancelled() {
                            reply.complete(Reply.failed("timed out after " + timeout.toMillis() + " ms"));
                        }
                    });
        } catch (RuntimeException e) {
            // e.g. the client is already closed (shutdown)
            return CompletableFuture.completedFuture(Reply.failed(e.getClass().getSimpleName()));
        }
        // Connect and response timeouts bound each phase; this bounds the whole call. Only a call that timed out is
        // cancelled: cancelling one that completed would discard its connection instead of keeping it alive.
        Reply timedOut = Reply.failed("timed out after " + timeout.toMillis() + " ms");
        reply.completeOnTimeout(timedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
        reply.thenAccept(r -> {
            if (r == timedOut) {
                call.cancel(true);
            }
        });
        return reply;
    }

    @Override
    public void close() {
        http.close(CloseMode.GRACEFUL);
    }
}
