package io.egoiverify.worker.egoi;

import java.util.concurrent.CompletableFuture;

/** E-goi's two Verify calls. Futures complete with a typed {@link EgoiResult}, never exceptionally. */
public interface EgoiApi {

    /** Asks E-goi to generate a code and SMS it. Completes with {@link EgoiResult.Sent} on success. */
    CompletableFuture<EgoiResult> send(SenderProfile profile, SendRequest request);

    /** Asks E-goi whether {@code code} is right for {@code providerRequestId}. */
    CompletableFuture<EgoiResult> validate(SenderProfile profile, String providerRequestId, String code);
}
