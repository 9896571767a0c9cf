package io.egoiverify.lifecycle;

import io.egoiverify.events.VerificationRequested;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Drives one verification through the pure lifecycle, remembering state, time and every output. */
public final class Harness {
    public static final String ID = "req-1";
    public final Lifecycle lifecycle;
    public VerificationState state;
    public Instant now = Fixtures.T0;
    public final List<Output> all = new ArrayList<>();
    public List<Output> last = List.of();
    public VerificationCommand lastCommand;
    private int submissions;

    public Harness(LifecycleConfig config) {
        this.lifecycle = new Lifecycle(config);
    }

    public Harness() {
        this(LifecycleConfig.defaults());
    }

    public Harness apply(Input input) {
        Transition t = lifecycle.apply(state, input, now);
        state = t.state();
        last = t.outputs();
        all.addAll(last);
        for (Output o : last) {
            if (o instanceof Output.Issue i) {
                lastCommand = i.command();
            }
        }
        return this;
    }

    public Harness advance(Duration d) {
        now = now.plus(d);
        return this;
    }

    public Harness request() {
        return request(Fixtures.request(ID, now).build());
    }

    public Harness request(VerificationRequested r) {
        return apply(new Input.Requested(r));
    }

    public Harness submit(String submissionId, String code) {
        return apply(new Input.Submitted(Fixtures.submit(ID, submissionId, code, now)));
    }

    /** A fresh submission with a well-formed code. */
    public Harness submit() {
        return submit("sub-" + (++submissions), "123456");
    }

    public Harness cancel() {
        return apply(new Input.CancelRequested(Fixtures.cancel(ID, "user left", now)));
    }

    public Harness result(CommandStatus status) {
        return apply(new Input.Result(Fixtures.result(ID, lastCommand.getCommandId(), status, now)));
    }

    /** A result for the newest command with E-goi's id and the call's start given (SENT of a resend). */
    public Harness result(CommandStatus status, String providerRequestId, Instant callStartedAt) {
        return result(lastCommand.getCommandId(), status, providerRequestId, callStartedAt);
    }

    /** A result for {@code commandId}: e.g. a command the number guard issued, which no output here shows. */
    public Harness result(String commandId, CommandStatus status, String providerRequestId, Instant callStartedAt) {
        return apply(new Input.Result(VerificationCommandResult.newBuilder().setRequestId(ID)
                .setCommandId(commandId).setCompletedAt(now).setStatus(status).setProviderCalls(1)
                .setDetail("test " + status).setProviderRequestId(providerRequestId).setCallStartedAt(callStartedAt)
                .build()));
    }

    public Harness resend() {
        return apply(new Input.ResendRequested(Fixtures.resend(ID, now)));
    }

    public Harness staleResult(CommandStatus status) {
        return apply(new Input.Result(Fixtures.result(ID, "not-in-flight", status, now)));
    }

    public Harness tick() {
        return apply(new Input.Tick(ID, now));
    }

    public Harness sent() {
        return request().result(CommandStatus.SENT);
    }

    public List<String> lastDescribed() {
        return last.stream().map(Fixtures::describe).toList();
    }

    public Status status() {
        return state == null ? null : state.status();
    }
}
