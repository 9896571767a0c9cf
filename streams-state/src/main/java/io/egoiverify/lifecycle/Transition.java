package io.egoiverify.lifecycle;

import java.util.List;
import java.util.Objects;

/**
 * The result of one step. {@code state} null means "no state": nothing was ever stored, or it is purged now.
 * Schedule changes follow from the states: the deadline index holds {@code before.wakeAt} until the step and
 * {@code state.wakeAt} after it.
 *
 * @param before  the state the step started from (null if none)
 * @param state   the new state (null: delete)
 * @param outputs events and commands, in order
 * @param note    why nothing happened, for debug logs (null when something did); never contains secrets
 */
public record Transition(VerificationState before, VerificationState state, List<Output> outputs, String note) {
    public Transition {
        outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
    }

    static Transition ignored(VerificationState state, String note) {
        return new Transition(state, state, List.of(), note);
    }

    /** The state changed and must be written (or deleted). */
    public boolean stateChanged() {
        return !Objects.equals(before, state);
    }
}
