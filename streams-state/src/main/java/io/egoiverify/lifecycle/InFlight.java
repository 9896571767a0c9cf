package io.egoiverify.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The one command a verification has outstanding. Only a result carrying {@code commandId} is folded.
 *
 * @param commandId    id of the command
 * @param submissionId the submission being checked, or null for a send
 * @param issuedAt     when the command was admitted (the earliest the E-goi call can have started)
 * @param deadline     no E-goi call may start after this instant
 */
public record InFlight(String commandId, String submissionId, Instant issuedAt, Instant deadline) {
    public InFlight {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(deadline, "deadline");
    }

    /**
     * When the verification, resend or submission this command serves was admitted: the instant its id carries. A
     * send or resend granted by a permit carries the permit's, so this is the request's (or resend's) admission, not
     * the grant's. Empty for an id without one (never written by this service; a meter must not fail a record).
     */
    public Optional<Instant> admittedAt() {
        return CommandIds.admittedAt(commandId);
    }

    /**
     * When the call answering this command started, on the lifecycle's clock: {@code reported} (the worker's clock;
     * null: unknown, then {@link #issuedAt}), kept within {@code [issuedAt, now]}. The call started after its command
     * was issued and before its result is folded, so a start outside that window is the worker's clock disagreeing
     * with this one: believed, a worker a minute behind made the code expire as its SMS went out, and one ahead a
     * code the user was told lives longer than at E-goi (the window also keeps a rogue start from overflowing the
     * expiry). When this clock is behind {@code issuedAt} (stepped back, or the task moved to an instance behind),
     * {@code now} is the only bound left.
     */
    public Instant callStart(Instant reported, Instant now) {
        Instant earliest = issuedAt.isAfter(now) ? now : issuedAt;
        if (reported == null) {
            return earliest;
        }
        if (reported.isBefore(earliest)) {
            return earliest;
        }
        return reported.isAfter(now) ? now : reported;
    }

    /**
     * How far {@code reported}, a worker's call start, lies outside the window {@link #callStart} keeps it in: the
     * worker's clock is ahead of this one by at least the positive result (a start after {@code now}), or behind by at
     * least the negated negative one (a start before {@link #issuedAt}); zero inside the window, where a skew smaller
     * than the command's round trip hides. When this clock is behind {@code issuedAt} only a start after now tells.
     */
    public Duration skewSeen(Instant reported, Instant now) {
        if (reported == null) {
            return Duration.ZERO;
        }
        if (reported.isAfter(now)) {
            return Duration.between(now, reported);
        }
        if (reported.isBefore(issuedAt) && !issuedAt.isAfter(now)) {
            return Duration.between(issuedAt, reported);
        }
        return Duration.ZERO;
    }

    public boolean isCheck() {
        return submissionId != null;
    }
}
