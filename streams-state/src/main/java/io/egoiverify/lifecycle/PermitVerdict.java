package io.egoiverify.lifecycle;

import java.time.Instant;
import java.util.Objects;

/**
 * The number guard's answer, keyed by {@code requestId}: the send may go ahead (and the guard may have issued it
 * already), it is refused (naming the limit), or a newer verification of the same number superseded this one (which
 * is then cancelled).
 *
 * @param requestId the verification the verdict is for
 * @param permitId  the permit it answers; a verdict for another permit is dropped
 * @param kind      the answer
 * @param limit     for REFUSED: which limit, as published in the failure detail (never the number); else null
 * @param retryAt   for a REFUSED resend: when the limit would let it through (the oldest counted send leaves the
 *                  window); else null
 * @param commandIssued for GRANTED: the guard wrote the granted command itself (the permit request carried it), so
 *                  the lifecycle only moves on; false: the lifecycle issues it (a request without the command)
 */
public record PermitVerdict(String requestId, String permitId, Kind kind, String limit, Instant retryAt,
                            boolean commandIssued) {
    public enum Kind { GRANTED, REFUSED, SUPERSEDED }

    public PermitVerdict {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(permitId, "permitId");
        Objects.requireNonNull(kind, "kind");
        if (commandIssued && kind != Kind.GRANTED) {
            throw new IllegalArgumentException("only a grant issues a command");
        }
    }

    /** A verdict for which the guard issued no command. */
    public PermitVerdict(String requestId, String permitId, Kind kind, String limit, Instant retryAt) {
        this(requestId, permitId, kind, limit, retryAt, false);
    }

    /** A verdict without a retry instant, for which the guard issued no command. */
    public PermitVerdict(String requestId, String permitId, Kind kind, String limit) {
        this(requestId, permitId, kind, limit, null, false);
    }
}
