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
 * @param command    for a PERMIT_REQUEST or RESEND_REQUEST: the command the guard issues when it grants (the number
 *                   sealed); null when the lifecycle issues it on the verdict ({@code guardIssuesCommands} off, or a
 *                   notice of the previous release) and for the other kinds
 */
public record NumberNotice(Kind kind, String numberHash, String requestId, String permitId, Instant at,
                           GrantedCommand command) {
    public enum Kind { PERMIT_REQUEST, FAILED_CHECK, ENDED, RESEND_REQUEST }

    public NumberNotice {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(numberHash, "numberHash");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(permitId, "permitId");
        Objects.requireNonNull(at, "at");
        if (command != null && kind != Kind.PERMIT_REQUEST && kind != Kind.RESEND_REQUEST) {
            throw new IllegalArgumentException("only a permit or resend request carries a command");
        }
        if (command != null && command.resend() != (kind == Kind.RESEND_REQUEST)) {
            throw new IllegalArgumentException("a " + kind + " carries a " + (command.resend() ? "resend" : "send"));
        }
    }

    /** A notice without a command (the guard issues nothing for it). */
    public NumberNotice(Kind kind, String numberHash, String requestId, String permitId, Instant at) {
        this(kind, numberHash, requestId, permitId, at, null);
    }
}
