package io.egoiverify.lifecycle;

import java.time.Instant;
import java.util.Objects;

/**
 * The number guard's answer, keyed by {@code requestId}: the send may go ahead, it is refused (naming the limit), or
 * a newer verification of the same number superseded this one (which is then cancelled).
 *
 * @param requestId the verification the verdict is for
 * @param permitId  the permit it answers; a verdict for another permit is dropped
 * @param kind      the answer
 * @param limit     for REFUSED: which limit, as published in the failure detail (never the number); else null
 * @param retryAt   for a REFUSED resend: when the limit would let it through (the oldest counted send leaves the
 *                  window); else null
 */
public record PermitVerdict(String requestId, String permitId, Kind kind, String limit, Instant retryAt) {
    public enum Kind { GRANTED, REFUSED, SUPERSEDED }

    public PermitVerdict {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(permitId, "permitId");
        Objects.requireNonNull(kind, "kind");
    }

    /** A verdict without a retry instant. */
    public PermitVerdict(String requestId, String permitId, Kind kind, String limit) {
        this(requestId, permitId, kind, limit, null);
    }
}
