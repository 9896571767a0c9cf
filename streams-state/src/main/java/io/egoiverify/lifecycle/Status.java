package io.egoiverify.lifecycle;

/** Where a verification is in its lifecycle. */
public enum Status {
    /** A cancel arrived before its request: remembered for a while so that the request is answered cancelled. */
    CANCEL_PENDING(false),
    /** A send command is in flight. */
    SENDING(false),
    /** The SMS went out; codes may be submitted until {@code expiresAt}, and a resend may be asked for. */
    SENT(false),
    /** A check command is in flight; other submissions are answered CHECK_IN_PROGRESS. */
    CHECKING(false),
    VERIFIED(true),
    EXPIRED(true),
    CANCELLED(true),
    FAILED(true),
    /** Valid and waiting for the number guard's permit (per-number limits); the send is not issued yet. */
    AWAITING_PERMIT(false),
    /**
     * Sent, and a resend was accepted that waits for the number guard's permit (per-number limits). Submissions are
     * answered NOT_SENT_YET: the code they may hold is about to be replaced.
     */
    AWAITING_RESEND_PERMIT(false),
    /** Sent, and a resend command is in flight; submissions are answered NOT_SENT_YET (the new code is coming). */
    RESENDING(false);

    private final boolean terminal;

    Status(boolean terminal) {
        this.terminal = terminal;
    }

    /** A terminal outcome has been published; only submission answers follow, then the purge. */
    public boolean terminal() {
        return terminal;
    }
}
