package io.egoiverify.worker.egoi;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/**
 * E-goi Verify in the configured dialect over one pooled, asynchronous HttpClient 5 (create one per process and share
 * it). The client never retries by itself and its futures never complete exceptionally (see {@link EgoiApi}).
 */
public final class EgoiClient implements EgoiApi, AutoCloseable {
    private final EgoiConfig config;
    private final EgoiHttp http;
    private final EgoiApi dialect;

    public EgoiClient(EgoiConfig config) {
        this(config, Clock.systemUTC());
    }

    public EgoiClient(EgoiConfig config, Clock clock) {
        this(config, clock, null);
    }

    /** @param testTrust tests only: the TLS context of a test target (there is no setting for E-goi's TLS trust) */
    EgoiClient(EgoiConfig config, Clock clock, SSLContext testTrust) {
        this.config = config;
        this.http = new EgoiHttp(config.transport(), testTrust);
        this.dialect = switch (config.dialect()) {
            case V2 -> new V2Client(http, new V2Requests(config.baseUrl()), new V2Answers(config.statuses(), clock));
            case GUIDE -> new GuideClient(http, new GuideRequests(config.baseUrl(), config.guide()),
                    new GuideAnswers(config.guide().wrongCodeStatus(), clock));
        };
    }

    public EgoiConfig config() {
        return config;
    }

    @Override
    public Dialect dialect() {
        return config.dialect();
    }

    @Override
    public CompletableFuture<EgoiResult> send(SenderProfile profile, SendRequest request) {
        return dialect.send(profile, request);
    }

    @Override
    public CompletableFuture<EgoiResult> validate(SenderProfile profile, String providerRequestId, String code) {
        return dialect.validate(profile, providerRequestId, code);
    }

    @Override
    public CompletableFuture<EgoiResult> status(SenderProfile profile, String providerRequestId) {
        return dialect.status(profile, providerRequestId);
    }

    @Override
    public CompletableFuture<EgoiResult> cancel(SenderProfile profile, String providerRequestId) {
        return dialect.cancel(profile, providerRequestId);
    }

    @Override
    public CompletableFuture<EgoiResult> resend(SenderProfile profile, String providerRequestId) {
        return dialect.resend(profile, providerRequestId);
    }

    @Override
    public CompletableFuture<EgoiResult> senders(SenderProfile profile) {
        return dialect.senders(profile);
    }

    /** Lets calls in flight finish (bounded by the response timeout), then releases the pool. */
    @Override
    public void close() {
        http.close();
    }
}
