package io.egoiverify.lifecycle;

import java.time.Instant;
import java.util.Objects;

/**
 * What the lifecycle tells the number guard, keyed by {@code numberHash} (never the number): a request wants to send,
 * a check of one of the number's verifications failed, a verification the guard admitted has ended, or one of them
 * wants to send a new code (a resend: a send for the send limit, not a new verification for the one-active policy).
 *
 * @param kind       what happened
 * @param numberHash HMAC of the normalised number ({@link NumberKeys#hash})
 * @param requestId  the verification
 * @param permitId   the permit the verification asked for ({@code requestId/permit/<millis>}); for a resend, the
 *                   resend's own permit ({@code requestId/permit-resend-<n>/<millis>})
 * @param at         the lifecycle's step time
 */
public record NumberNotice(Kind kind, String numberHash, String requestId, String permitId, Instant at) {
    public enum Kind { PERMIT_REQUEST, FAILED_CHECK, ENDED, RESEND_REQUEST }

    public NumberNotice {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(numberHash, "numberHash");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(permitId, "permitId");
        Objects.requireNonNull(at, "at");
    }
}
