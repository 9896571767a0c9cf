package io.egoiverify.lifecycle.streams;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/** Which sink an outcome event goes to, and its key and record timestamp (= occurredAt). */
record OutcomeRoute(String sink, String requestId, Instant occurredAt) {

    static OutcomeRoute of(SpecificRecord event) {
        if (event instanceof VerificationSent e) {
            return new OutcomeRoute(LifecycleTopology.SENT_SINK, e.getRequestId(), e.getOccurredAt());
        } else if (event instanceof ResendRejected e) {
            return new OutcomeRoute(LifecycleTopology.RESEND_REJECTED_SINK, e.getRequestId(), e.getOccurredAt());
        } else if (event instanceof CodeRejected e) {
            return new OutcomeRoute(LifecycleTopology.CODE_REJECTED_SINK, e.getRequestId(), e.getOccurredAt());
        } else if (event instanceof VerificationVerified e) {
            return new OutcomeRoute(LifecycleTopology.VERIFIED_SINK, e.getRequestId(), e.getOccurredAt());
        } else if (event instanceof VerificationExpired e) {
            return new OutcomeRoute(LifecycleTopology.EXPIRED_SINK, e.getRequestId(), e.getOccurredAt());
        } else if (event instanceof VerificationCancelled e) {
            return new OutcomeRoute(LifecycleTopology.CANCELLED_SINK, e.getRequestId(), e.getOccurredAt());
        } else if (event instanceof VerificationFailed e) {
            return new OutcomeRoute(LifecycleTopology.FAILED_SINK, e.getRequestId(), e.getOccurredAt());
        }
        throw new IllegalArgumentException("not an outcome event: " + event.getClass().getName());
    }
}
