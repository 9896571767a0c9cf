package io.egoiverify.lifecycle;

import io.egoiverify.internal.VerificationCommand;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/** What a transition emits, in order. */
public sealed interface Output {

    /**
     * An outcome event for one of the seven outcome topics (VerificationSent, ResendRejected, CodeRejected,
     * VerificationVerified, VerificationExpired, VerificationCancelled, VerificationFailed).
     */
    record Publish(SpecificRecord event) implements Output {
        public Publish {
            Objects.requireNonNull(event, "event");
        }
    }

    /** An admitted command for the worker (send, check, resend, or a best-effort cancel that is never awaited). */
    record Issue(VerificationCommand command) implements Output {
        public Issue {
            Objects.requireNonNull(command, "command");
        }

        @Override
        public String toString() {
            // Commands carry a code or a phone number: print only what identifies them.
            return "Issue[commandId=" + command.getCommandId() + "]";
        }
    }

    /** A notice for the number guard, keyed by the number's hash. */
    record Notify(NumberNotice notice) implements Output {
        public Notify {
            Objects.requireNonNull(notice, "notice");
        }
    }
}
