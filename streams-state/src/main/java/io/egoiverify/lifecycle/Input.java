package io.egoiverify.lifecycle;

import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.internal.VerificationCommandResult;
import java.time.Instant;
import java.util.Objects;

/** Everything that can change a verification: the four public inputs, a worker result, a verdict, and the clock. */
public sealed interface Input {

    /** The verification this input is about. */
    String requestId();

    record Requested(VerificationRequested event) implements Input {
        public Requested {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public String requestId() {
            return event.getRequestId();
        }
    }

    record Submitted(CodeSubmitted event) implements Input {
        public Submitted {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public String requestId() {
            return event.getRequestId();
        }

        @Override
        public String toString() {
            // The code is secret: never let a debug print show it.
            return "Submitted[requestId=" + event.getRequestId() + ", submissionId=" + event.getSubmissionId() + "]";
        }
    }

    record CancelRequested(VerificationCancelRequested event) implements Input {
        public CancelRequested {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public String requestId() {
            return event.getRequestId();
        }
    }

    record ResendRequested(VerificationResendRequested event) implements Input {
        public ResendRequested {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public String requestId() {
            return event.getRequestId();
        }
    }

    /** A send, check or resend result from the worker; which one it is follows from the command in flight. */
    record Result(VerificationCommandResult result) implements Input {
        public Result {
            Objects.requireNonNull(result, "result");
        }

        @Override
        public String requestId() {
            return result.getRequestId();
        }
    }

    /** The number guard's answer to this verification's permit request. */
    record Verdict(PermitVerdict verdict) implements Input {
        public Verdict {
            Objects.requireNonNull(verdict, "verdict");
        }

        @Override
        public String requestId() {
            return verdict.requestId();
        }
    }

    /** The wall clock reached {@code now}: due deadlines fire. */
    record Tick(String requestId, Instant now) implements Input {
        public Tick {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(now, "now");
        }
    }
}
