package io.egoiverify.app.dev;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One outcome event in a form a person (and the demo's checks) can read: its kind, the verification, and a short,
 * secret-free summary of the kind-specific fields ({@code reason} is the enum symbol where the event has one).
 */
public record Outcome(Kind kind, String requestId, String reason, String summary, Instant occurredAt) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    public enum Kind { SENT, RESEND_REJECTED, CODE_REJECTED, VERIFIED, EXPIRED, CANCELLED, FAILED }

    public Outcome {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(requestId, "requestId");
        reason = reason == null ? "" : reason;
        summary = summary == null ? "" : summary;
    }

    /** Kind plus reason, e.g. {@code CODE_REJECTED(WRONG_CODE)}, as the demo table shows it. */
    public String label() {
        return reason.isEmpty() ? kind.name() : kind.name() + "(" + reason + ")";
    }

    public boolean terminal() {
        return kind != Kind.SENT && kind != Kind.RESEND_REJECTED && kind != Kind.CODE_REJECTED;
    }

    /** One line for the console. */
    public String pretty() {
        return String.format("%s  %-28s %-24s %s", occurredAt == null ? "--:--:--.---" : TIME.format(occurredAt),
                label(), requestId, summary).stripTrailing();
    }

    public static Outcome of(SpecificRecord record) {
        if (record instanceof VerificationSent e) {
            return new Outcome(Kind.SENT, e.getRequestId(), null, "code " + e.getSendCount() + " to "
                    + e.getPhoneNumberMasked() + ", expires " + TIME.format(e.getExpiresAt()) + ", maxAttempts="
                    + e.getMaxAttempts() + meta(e.getMetadata()), e.getOccurredAt());
        }
        if (record instanceof ResendRejected e) {
            return new Outcome(Kind.RESEND_REJECTED, e.getRequestId(), e.getReason().name(), "retryAfterSeconds="
                    + e.getRetryAfterSeconds() + meta(e.getMetadata()), e.getOccurredAt());
        }
        if (record instanceof CodeRejected e) {
            return new Outcome(Kind.CODE_REJECTED, e.getRequestId(), e.getReason().name(), "submission "
                    + e.getSubmissionId() + ", attemptsRemaining=" + e.getAttemptsRemaining() + meta(e.getMetadata()),
                    e.getOccurredAt());
        }
        if (record instanceof VerificationVerified e) {
            return new Outcome(Kind.VERIFIED, e.getRequestId(), null, "attemptsUsed=" + e.getAttemptsUsed()
                    + meta(e.getMetadata()), e.getOccurredAt());
        }
        if (record instanceof VerificationExpired e) {
            return new Outcome(Kind.EXPIRED, e.getRequestId(), null, "attemptsUsed=" + e.getAttemptsUsed()
                    + meta(e.getMetadata()), e.getOccurredAt());
        }
        if (record instanceof VerificationCancelled e) {
            return new Outcome(Kind.CANCELLED, e.getRequestId(), null, (e.getReason() == null ? ""
                    : "reason=" + e.getReason()) + meta(e.getMetadata()), e.getOccurredAt());
        }
        if (record instanceof VerificationFailed e) {
            return new Outcome(Kind.FAILED, e.getRequestId(), e.getReason().name(), e.getDetail()
                    + meta(e.getMetadata()), e.getOccurredAt());
        }
        throw new IllegalArgumentException("not an outcome event: " + record.getSchema().getFullName());
    }

    private static String meta(Map<String, String> metadata) {
        return metadata == null || metadata.isEmpty() ? "" : " metadata=" + metadata;
    }
}
