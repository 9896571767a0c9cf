package io.egoiverify.worker.egoi;

import java.time.Duration;
import java.util.Optional;

/**
 * Every way an E-goi call can end, typed. {@link #delivery()} says whether the request may have reached E-goi, which
 * decides whether a send may be retried without risking a second SMS.
 */
public sealed interface EgoiResult {

    /** Whether the request reached E-goi. */
    enum Delivery {
        /** E-goi answered. */
        ANSWERED,
        /** Certainly never reached E-goi (connection refused, connect timeout, 429, breaker open): safe to retry. */
        NOT_DELIVERED,
        /** May or may not have reached E-goi (response timeout, 5xx, dropped connection, unreadable answer). */
        UNKNOWN
    }

    Delivery delivery();

    /** Short text for results and logs: never the code, the API key or the number. */
    String describe();

    /** Send accepted ({@code status: Ok}). */
    record Sent(String providerRequestId) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "Ok"; }
    }

    /** Validate: the code is right. */
    record Verified() implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "Verified"; }
    }

    /** Validate: the request expired. */
    record Expired() implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "Expired"; }
    }

    /** Validate: the request was verified before. */
    record AlreadyVerified() implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "Already_Verified"; }
    }

    /** Validate: wrong code (the configured wrong-code status); E-goi keeps waiting for the right one. */
    record WrongCode(String status) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "wrong code (" + status + ")"; }
    }

    /** A 2xx answer with a status this client does not know. */
    record UnrecognisedStatus(int httpStatus, String status) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "unrecognised E-goi status '" + status + "' (HTTP " + httpStatus + ")"; }
    }

    /** HTTP 4xx other than 429: E-goi refused the request. */
    record Rejected(int httpStatus, String status) implements EgoiResult {
        public Delivery delivery() { return Delivery.ANSWERED; }
        public String describe() { return "rejected: HTTP " + httpStatus + (status == null ? "" : " status " + status); }
    }

    /** HTTP 429: not processed; retry after {@code retryAfter} if given. */
    record RateLimited(Optional<Duration> retryAfter) implements EgoiResult {
        public Delivery delivery() { return Delivery.NOT_DELIVERED; }
        public String describe() {
            return "rate limited: HTTP 429" + retryAfter.map(d -> " retry after " + d.toMillis() + " ms").orElse("");
        }
    }

    /** HTTP 5xx: the outcome is unknown. */
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
        public String describe() { return phase.name().toLowerCase(java.util.Locale.ROOT) + " timeout"; }
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

    /** The connection broke after the request may have been written (reset, closed without answer, TLS failure...). */
    record ConnectionFailed(String error) implements EgoiResult {
        public Delivery delivery() { return Delivery.UNKNOWN; }
        public String describe() { return "connection failed: " + error; }
    }

    /** A 2xx answer that is not the JSON E-goi documents. */
    record MalformedBody(int httpStatus, String error) implements EgoiResult {
        public Delivery delivery() { return Delivery.UNKNOWN; }
        public String describe() { return "malformed answer (HTTP " + httpStatus + "): " + error; }
    }

    /** The circuit breaker refused the call: nothing was sent. */
    record CircuitOpen() implements EgoiResult {
        public Delivery delivery() { return Delivery.NOT_DELIVERED; }
        public String describe() { return "circuit breaker open"; }
    }
}
