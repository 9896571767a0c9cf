package io.egoiverify.lifecycle;

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
     * When the call answering this command started: {@code reported} (null: unknown, then {@link #issuedAt}), but
     * never after both its {@link #deadline} (after which the worker starts no call of it) and {@code now}. A later
     * one (a rogue result) would move the code's expiry anywhere: Long.MAX_VALUE millis made one beyond what epoch
     * millis hold, and storing the state failed the task on the same result for ever. An earlier one is kept: clocks
     * step back.
     */
    public Instant callStart(Instant reported, Instant now) {
        if (reported == null) {
            return issuedAt;
        }
        Instant latest = deadline.isAfter(now) ? deadline : now;
        return reported.isAfter(latest) ? latest : reported;
    }

    public boolean isCheck() {
        return submissionId != null;
    }
}
