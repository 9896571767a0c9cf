package io.egoiverify.worker.egoi;

import java.util.concurrent.CompletableFuture;

/** The V2 dialect: E-goi's published Verify calls, each one HTTP call; no retry, no reconciliation here. */
final class V2Client implements EgoiApi {
    private final EgoiHttp http;
    private final V2Requests requests;
    private final V2Answers answers;

    V2Client(EgoiHttp http, V2Requests requests, V2Answers answers) {
        this.http = http;
        this.requests = requests;
        this.answers = answers;
    }

    @Override
    public Dialect dialect() {
        return Dialect.V2;
    }

    @Override
    public CompletableFuture<EgoiResult> send(SenderProfile profile, SendRequest request) {
        return http.call(() -> requests.send(profile, request), answers::send);
    }

    @Override
    public CompletableFuture<EgoiResult> validate(SenderProfile profile, String providerRequestId, String code) {
        return http.call(() -> requests.validate(profile, providerRequestId, code), a -> answers.validate(a, code));
    }

    @Override
    public CompletableFuture<EgoiResult> status(SenderProfile profile, String providerRequestId) {
        return http.call(() -> requests.status(profile, providerRequestId), a -> answers.status(a, null));
    }

    @Override
    public CompletableFuture<EgoiResult> cancel(SenderProfile profile, String providerRequestId) {
        return http.call(() -> requests.cancel(profile, providerRequestId), answers::cancel);
    }

    @Override
    public CompletableFuture<EgoiResult> resend(SenderProfile profile, String providerRequestId) {
        return http.call(() -> requests.resend(profile, providerRequestId), answers::resend);
    }

    @Override
    public CompletableFuture<EgoiResult> senders(SenderProfile profile) {
        return http.call(() -> requests.senders(profile), answers::senders);
    }
}
