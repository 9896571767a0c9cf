package io.egoiverify.worker.egoi;

import java.util.concurrent.CompletableFuture;

/**
 * The guide dialect: send and validate with the guide's payloads. It knows no status, cancel, resend or senders call:
 * those answer {@link EgoiResult.Unsupported} without a call.
 */
final class GuideClient implements EgoiApi {
    private final EgoiHttp http;
    private final GuideRequests requests;
    private final GuideAnswers answers;

    GuideClient(EgoiHttp http, GuideRequests requests, GuideAnswers answers) {
        this.http = http;
        this.requests = requests;
        this.answers = answers;
    }

    @Override
    public Dialect dialect() {
        return Dialect.GUIDE;
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
        return unsupported("the guide dialect has no status call");
    }

    @Override
    public CompletableFuture<EgoiResult> cancel(SenderProfile profile, String providerRequestId) {
        return unsupported("the guide dialect has no cancel call");
    }

    @Override
    public CompletableFuture<EgoiResult> resend(SenderProfile profile, String providerRequestId) {
        return unsupported("the guide dialect resends by sending again");
    }

    @Override
    public CompletableFuture<EgoiResult> senders(SenderProfile profile) {
        return unsupported("the guide dialect has no call that checks a key without sending an SMS");
    }

    private static CompletableFuture<EgoiResult> unsupported(String reason) {
        return CompletableFuture.completedFuture(new EgoiResult.Unsupported(reason));
    }
}
