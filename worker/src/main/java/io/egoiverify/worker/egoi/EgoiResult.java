package io.egoiverify.worker.egoi;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every way an E-goi call can end, typed, for both dialects. {@link #delivery()} says whether the request may have
 * reached E-goi, which decides whether a send may be repeated without risking a second SMS. No result ever carries a
 * code, an API key or a phone number.
 */
public sealed interface EgoiResult {

    /** Whether the request reached E-goi. */
    enum Delivery {
        /** E-goi answered. */
        ANSWERED,
        /**
         * Certainly never reached E-goi (connection refused, connect or pool timeout, not executed, 429, refused by
         * the proxy or no tunnel through it).
         */
        NOT_DELIVERED,
        /** May or may not have reached E-goi (response timeout, 5xx, dropped connection, unreadable answer). */
        UNKNOWN,
        /** No call was made at all: refused before sending, or the dialect has no such call. Never retried. */
        NO_CALL
    }

    Delivery delivery();

    /** Short text for results and logs: never the code, the API key or the number. */
    String describe();

    /** Send or resend accepted; {@code providerRequestId} is null only for a resend whose answer names no id. */
    record Sent(String providerRequestId) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "sent"; }
    }

    /** The code is right (guide: {@code Verified}; V2: the status call says verified). */
    record Verified() implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "verified"; }
    }

    /** The code expired (guide: {@code Expired}; V2: status expired). */
    record Expired() implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "expired"; }
    }

    /** Guide: {@code Already_Verified}. */
    record AlreadyVerified() implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "already verified"; }
    }

    /** Guide: the configured wrong-code status; E-goi keeps waiting for the right code. */
    record WrongCode(String status) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "wrong code (" + status + ")"; }
    }

    /** V2: the verification is cancelled (a cancel call succeeded, or the status call says so). */
    record Cancelled() implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "cancelled"; }
    }

    /** V2 status call: still waiting for the right code ({@code status} as E-goi wrote it, sanitised). */
    record Pending(String status) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "pending (" + status + ")"; }
    }

    /**
     * V2 validate: E-goi answered, but the answer does not say whether the code was right (the spec documents only a
     * 200 with the id, and errors): the status call must tell.
     */
    record Unconfirmed(int httpStatus) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "validate answered HTTP " + httpStatus + " without a verdict"; }
    }

    /** An answer with a status this client does not know (sanitised, never the code). */
    record UnrecognisedStatus(int httpStatus, String status) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "unrecognised E-goi status '" + status + "' (HTTP " + httpStatus + ")"; }
    }

    /** HTTP 4xx other than 429 (and, for V2 validate, other than those that need the status call). */
    record Rejected(int httpStatus, String status) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "rejected: HTTP " + httpStatus + (status == null ? "" : " " + status); }
    }

    /** V2 senders call: the account's SMS senders. */
    record Senders(List<Sender> senders) implements EgoiResult {
        public Senders {
            senders = List.copyOf(senders);
        }

        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return senders.size() + " sender(s)"; }
    }

    /** One SMS sender of an E-goi account, as {@code GET /v2/sms/senders} lists it (fields may be null). */
    record Sender(String id, String name, String phoneNumber, String status) {
    }

    /** HTTP 429: not processed; retry after {@code retryAfter} if given. */
    record RateLimited(Optional<Duration> retryAfter) implements EgoiResult {
        public Delivery delivery() { return Delivery.NOT_DELIVERED; }
        public String describe() {
            return "rate limited: HTTP 429" + retryAfter.map(d -> " retry after " + d.toMillis() + " ms").orElse("");
        }
    }

    /**
     * HTTP 5xx. Its outcome is unknown unless the worker is configured to read its status as "not processed"
     * ({@code worker.send-retry-statuses}, default 503).
     */
    record ServerError(int httpStatus) implements EgoiResult {
        public Delivery delivery() { return Delivery.UNKNOWN; }
        public String describe() { return "server error: HTTP " + httpStatus; }
    }

    /** Where a timeout happened. */
    enum Phase {
        /** Waiting for a pooled connection: nothing was sent. */
        POOL,
        /** Connecting: nothing was sent. */
        CONNECT,
        /** Waiting for the answer: the request may have been processed. */
        RESPONSE
    }

    record Timeout(Phase phase) implements EgoiResult {
        public Delivery delivery() { return phase == Phase.RESPONSE ? Delivery.UNKNOWN : Delivery.NOT_DELIVERED; }
        public String describe() { return phase.name().toLowerCase(Locale.ROOT) + " timeout"; }
    }

    /** TCP connection refused: nothing was sent. */
    record ConnectionRefused() implements EgoiResult {
        public Delivery delivery() { return Delivery.NOT_DELIVERED; }
        public String describe() { return "connection refused"; }
    }

    /** The connection closed before the request was written (HttpClient's RequestNotExecutedException). */
    record NotExecuted() implements EgoiResult {
        public Delivery delivery() { return Delivery.NOT_DELIVERED; }
        public String describe() { return "request not executed (connection closed before sending)"; }
    }

    /**
     * The forward proxy ({@code egoi.proxy}) answered in E-goi's place without passing the call on: it refused the
     * CONNECT tunnel of an https call (407 proxy authentication, 403 by its policy, 502/503/504 when it could not
     * reach E-goi, ...), or answered 407 to a plain-http call. Nothing reached E-goi, and the answer is not E-goi's.
     */
    record ProxyRefused(int httpStatus) implements EgoiResult {
        public Delivery delivery() { return Delivery.NOT_DELIVERED; }
        public String describe() {
            return "refused by the proxy: HTTP " + httpStatus
                    + (httpStatus == 407 ? " (proxy authentication failed: check egoi.proxy-user-info)" : "");
        }
    }

    /**
     * Through the forward proxy, the call failed before its request was written: the CONNECT exchange or the TLS
     * handshake with E-goi inside the tunnel failed (a TLS-inspecting proxy's certificate, say). Nothing reached E-goi.
     */
    record TunnelFailed(String error) implements EgoiResult {
        public Delivery delivery() { return Delivery.NOT_DELIVERED; }
        public String describe() { return "no tunnel to E-goi through the proxy: " + error; }
    }

    /** The connection broke after the request may have been written (reset, closed without answer, TLS failure...). */
    record ConnectionFailed(String error) implements EgoiResult {
        public Delivery delivery() { return Delivery.UNKNOWN; }
        public String describe() { return "connection failed: " + error; }
    }

    /** A 2xx answer that is not the JSON E-goi documents, or a redirect (never followed): its outcome is unknown. */
    record MalformedBody(int httpStatus, String error) implements EgoiResult {
        public Delivery delivery() { return Delivery.UNKNOWN; }
        public String describe() { return "malformed answer (HTTP " + httpStatus + "): " + error; }
    }

    /** The circuit breaker stayed open until the command's deadline: nothing was sent. */
    record CircuitOpen() implements EgoiResult {
        public Delivery delivery() { return Delivery.NOT_DELIVERED; }
        public String describe() { return "circuit breaker open"; }
    }

    /** Refused before any call (an invalid number, code type, size, TTL, missing sender id...). */
    record Refused(String reason) implements EgoiResult {
        public Delivery delivery() { return Delivery.NO_CALL; }
        public String describe() { return "invalid request: " + reason; }
    }

    /** The configured dialect has no such call (e.g. cancel in the guide's dialect). */
    record Unsupported(String reason) implements EgoiResult {
        public Delivery delivery() { return Delivery.NO_CALL; }
        public String describe() { return reason; }
    }
}
