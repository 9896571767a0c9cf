package io.egoiverify.worker.command;

import io.egoiverify.worker.egoi.EgoiResult;
import java.util.Set;

/**
 * Whether a failed call of one kind is made again. A send (or a V2 resend, which also sends an SMS) has no idempotency
 * key, and a validate may count an attempt at E-goi, so they are repeated only when E-goi certainly did not process
 * them; a status read or a cancel changes nothing when repeated, so any failure to get an answer is retried.
 *
 * @param operation the name metrics and logs use: send, resend, validate, status, cancel
 * @param onlyNotProcessed whether only "not processed" failures are retried
 * @param alsoUnknown with {@code onlyNotProcessed}: retry an unknown outcome too (the operator's opt-in for sends)
 */
record RetryRule(String operation, boolean onlyNotProcessed, boolean alsoUnknown, Set<Integer> notProcessedStatuses) {

    static RetryRule sends(String operation, WorkerConfig.Retries retries) {
        return new RetryRule(operation, true, retries.retryUnknownSendOutcome(), retries.sendRetryStatuses());
    }

    /** Validate: an unknown outcome is never repeated (V2 reconciles it with the status call instead). */
    static RetryRule notProcessedOnly(String operation, WorkerConfig.Retries retries) {
        return new RetryRule(operation, true, false, retries.sendRetryStatuses());
    }

    static RetryRule anyFailure(String operation, WorkerConfig.Retries retries) {
        return new RetryRule(operation, false, true, retries.sendRetryStatuses());
    }

    boolean retries(EgoiResult r) {
        if (r.delivery() == EgoiResult.Delivery.NO_CALL) {
            return false;
        }
        if (notProcessed(r)) {
            return true;
        }
        boolean unknown = r.delivery() == EgoiResult.Delivery.UNKNOWN || r instanceof EgoiResult.RateLimited;
        return unknown && (!onlyNotProcessed || alsoUnknown);
    }

    /** E-goi certainly did not act on the call: nothing was written, or it answered a "not processed" status. */
    boolean notProcessed(EgoiResult r) {
        if (r instanceof EgoiResult.RateLimited) {
            return notProcessedStatuses.contains(429);
        }
        if (r instanceof EgoiResult.ServerError e) {
            return notProcessedStatuses.contains(e.httpStatus());
        }
        if (r instanceof EgoiResult.Rejected e) {
            return notProcessedStatuses.contains(e.httpStatus());
        }
        return r.delivery() == EgoiResult.Delivery.NOT_DELIVERED;
    }
}
