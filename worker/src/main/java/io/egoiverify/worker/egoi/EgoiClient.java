package io.egoiverify.worker.egoi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * E-goi Verify over one pooled, asynchronous HttpClient 5 (create one per process and share it). TLS uses the JVM's
 * trust store with host-name verification. The client never retries by itself: whether a call may be repeated is the
 * caller's decision (a send has no idempotency key). Futures never complete exceptionally.
 */
public final class EgoiClient implements EgoiApi, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EgoiConfig config;
    private final CloseableHttpAsyncClient http;
    private final ResponseMapper mapper;
    private final URI sendUri;
    private final URI validateUri;

    public EgoiClient(EgoiConfig config) {
        this(config, Clock.systemUTC());
    }

    public EgoiClient(EgoiConfig config, Clock clock) {
        WireLogGuard.forceOff();
        this.config = config;
        this.mapper = new ResponseMapper(config.wrongCodeStatus(), clock);
        this.sendUri = config.sendUri();
        this.validateUri = config.validateUri();
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout response = Timeout.of(config.responseTimeout());
        PoolingAsyncClientConnectionManager pool = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnections())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connect)
                        .setSocketTimeout(response)
                        .build())
                .build();
        this.http = HttpAsyncClients.custom()
                .setConnectionManager(pool)
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(config.ioThreads())
                        .setSoTimeout(response)
                        .setTcpNoDelay(true)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(connect)
                        .setResponseTimeout(response)
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
        this.http.start();
    }

    public EgoiConfig config() {
        return config;
    }

    @Override
    public CompletableFuture<EgoiResult> send(SenderProfile profile, SendRequest request) {
        String number;
        try {
            number = PhoneNumbers.toEgoi(request.phoneNumber());
        } catch (InvalidRequestException e) {
            return CompletableFuture.failedFuture(e);
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("apikey", profile.apiKey());
        body.put("number", number);
        body.put("senderHash", profile.senderHash());
        body.put("codeType", request.codeType());
        body.put("codeSize", Integer.toString(request.codeSize()));
        String group = request.group() != null ? request.group() : profile.defaultGroup();
        if (group != null) {
            body.put("group", group);
        }
        body.put("codeTTL", Integer.toString(request.ttlSeconds()));
        body.put("message", request.message());
        return post(sendUri, body, ResponseMapper.Call.SEND, null);
    }

    @Override
    public CompletableFuture<EgoiResult> validate(SenderProfile profile, String providerRequestId, String code) {
        if (providerRequestId == null || providerRequestId.isBlank() || code == null || code.isBlank()) {
            return CompletableFuture.failedFuture(new InvalidRequestException("requestId and code are required"));
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("apikey", profile.apiKey());
        body.put("requestId", providerRequestId);
        body.put("code", code);
        return post(validateUri, body, ResponseMapper.Call.VALIDATE, code);
    }

    private CompletableFuture<EgoiResult> post(URI uri, ObjectNode body, ResponseMapper.Call call, String secret) {
        SimpleHttpRequest request = SimpleRequestBuilder.post(uri)
                .setBody(body.toString(), ContentType.APPLICATION_JSON)
                .addHeader("Accept", "application/json")
                .build();
        CompletableFuture<EgoiResult> result = new CompletableFuture<>();
        try {
            http.execute(SimpleRequestProducer.create(request), SimpleResponseConsumer.create(), null, null,
                    new FutureCallback<SimpleHttpResponse>() {
                        @Override
                        public void completed(SimpleHttpResponse response) {
                            Header retryAfter = response.getFirstHeader("Retry-After");
                            result.complete(mapper.answer(call, response.getCode(),
                                    retryAfter == null ? null : retryAfter.getValue(), response.getBodyBytes(), secret));
                        }

                        @Override
                        public void failed(Exception ex) {
                            result.complete(mapper.failure(ex));
                        }

                        @Override
                        public void cancelled() {
                            result.complete(new EgoiResult.ConnectionFailed("cancelled"));
                        }
                    });
        } catch (RuntimeException e) {
            // e.g. the client is shutting down: nothing was sent
            result.complete(new EgoiResult.ConnectionRefused());
        }
        return result;
    }

    /** Lets calls in flight finish (bounded by the response timeout), then releases the pool. */
    @Override
    public void close() {
        http.close(CloseMode.GRACEFUL);
    }
}
