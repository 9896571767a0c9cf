package io.egoiverify.worker.egoi;

import java.util.concurrent.CompletableFuture;

/**
 * E-goi's Verify, one method per HTTP call, in either dialect ({@link #dialect()} says which calls exist). Futures
 * complete with a typed {@link EgoiResult} and never exceptionally: a request refused before any call completes with
 * {@link EgoiResult.Refused}, a call the dialect lacks with {@link EgoiResult.Unsupported}. Nothing here retries.
 */
public interface EgoiApi {

    Dialect dialect();

    /** Asks E-goi to generate a code and SMS it. {@link EgoiResult.Sent} on success. */
    CompletableFuture<EgoiResult> send(SenderProfile profile, SendRequest request);

    /** Asks E-goi whether {@code code} is right for {@code providerRequestId}. */
    CompletableFuture<EgoiResult> validate(SenderProfile profile, String providerRequestId, String code);

    /** V2: reads the verification's status ({@link EgoiResult.Verified}, {@link EgoiResult.Pending}, ...). */
    CompletableFuture<EgoiResult> status(SenderProfile profile, String providerRequestId);

    /** V2: cancels the verification ({@link EgoiResult.Cancelled}). */
    CompletableFuture<EgoiResult> cancel(SenderProfile profile, String providerRequestId);

    /** V2: a new code for the same verification ({@link EgoiResult.Sent} with E-goi's id, or null if it names none). */
    CompletableFuture<EgoiResult> resend(SenderProfile profile, String providerRequestId);

    /** V2: the account's SMS senders, a call that sends nothing ({@link EgoiResult.Senders}). */
    CompletableFuture<EgoiResult> senders(SenderProfile profile);
}
