package io.egoiverify.lifecycle.streams;

import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.lifecycle.Input;
import io.egoiverify.lifecycle.Lifecycle;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.Output;
import io.egoiverify.lifecycle.PermitVerdict;
import io.egoiverify.lifecycle.Transition;
import io.egoiverify.lifecycle.VerificationState;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts the pure {@link Lifecycle} to records and stores: one instance per task. Inputs and results are folded as
 * they come; a wall-clock punctuation, armed by a {@link DeadlineAlarm} only for when something is due, folds
 * {@link Input.Tick}s for what the {@link DeadlineIndex} says is due (at most {@code maxDuePerPunctuation} entries per
 * run).
 */
final class LifecycleProcessor implements Processor<String, Object, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleProcessor.class);

    private final Lifecycle lifecycle;
    private final LifecycleMetrics lifecycleMetrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, VerificationState> verifications;
    private DeadlineIndex deadlines;

    LifecycleProcessor(Lifecycle lifecycle, LifecycleMetrics lifecycleMetrics) {
        this.lifecycle = lifecycle;
        this.lifecycleMetrics = lifecycleMetrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.verifications = context.getStateStore(LifecycleTopology.VERIFICATIONS_STORE);
        DeadlineAlarm alarm = new DeadlineAlarm(context, lifecycle.config().punctuationInterval(), this::sweep);
        this.deadlines = new DeadlineIndex(context.getStateStore(LifecycleTopology.DEADLINES_STORE),
                lifecycle.config().maxDuePerPunctuation(), alarm::wakeBy);
        deadlines.next().ifPresent(alarm::wakeBy); // what the restored store already holds
    }

    @Override
    public void process(Record<String, Object> record) {
        Input input = toInput(record.value());
        if (record.key() == null) {
            throw new BadRecordException("record has no key (the key must be the requestId of its value)");
        }
        if (!record.key().equals(input.requestId())) {
            throw new BadRecordException("record key does not equal the requestId of its value");
        }
        refuseOverlongIds(input);
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        VerificationState state = verifications.get(input.requestId());
        Transition t = fold(state, input, now);
        apply(t, input.requestId());
        if (input instanceof Input.Result r) {
            tellSkew(state, r.result(), now);
        }
    }

    /** The worker's clock against this one, as far as the call start of the result answering a command shows it. */
    private void tellSkew(VerificationState state, VerificationCommandResult result, Instant now) {
        if (state == null || state.inFlight() == null || !state.inFlight().commandId().equals(result.getCommandId())) {
            return;
        }
        Duration skew = state.inFlight().skewSeen(result.getCallStartedAt(), now);
        if (!skew.isZero()) {
            lifecycleMetrics.workerClockSkew(skew);
        }
    }

    /**
     * The pure step, before anything is written: a record it cannot fold is refused as a whole (dead-lettered). An
     * exception once writing, forwarding or telling the metrics has begun fails the task instead, so that
     * exactly-once rolls the half-done step back.
     */
    private Transition fold(VerificationState state, Input input, Instant now) {
        try {
            return lifecycle.apply(state, input, now);
        } catch (RuntimeException e) {
            throw BadRecordException.unfoldable(e);
        }
    }

    /**
     * An id no answer can carry ({@link LifecycleConfig#ID_HARD_MAX_LENGTH}): echoed in an outcome or stored, an id
     * near the 1 MiB record limit made a record the producer refused, failing the task on this input for ever. The
     * limit is the same for E-goi's id in a worker's result.
     */
    private static void refuseOverlongIds(Input input) {
        int max = LifecycleConfig.ID_HARD_MAX_LENGTH;
        if (input.requestId().length() > max) {
            throw new BadRecordException("requestId is longer than " + max + " characters");
        }
        if (input instanceof Input.Submitted s && s.event().getSubmissionId().length() > max) {
            throw new BadRecordException("submissionId is longer than " + max + " characters");
        }
        // E-goi's id, stored and echoed on VerificationSent: a result carrying a longer one (a rogue producer; E-goi's
        // ids are short) is no answer, and its verification fails at its deadline like one never answered.
        if (input instanceof Input.Result r && r.result().getProviderRequestId() != null
                && r.result().getProviderRequestId().length() > max) {
            throw new BadRecordException("providerRequestId is longer than " + max + " characters");
        }
    }

    private static Input toInput(Object value) {
        if (value instanceof PermitVerdict v) {
            return new Input.Verdict(v);
        } else if (value instanceof VerificationRequested r) {
            return new Input.Requested(r);
        } else if (value instanceof CodeSubmitted s) {
            return new Input.Submitted(s);
        } else if (value instanceof VerificationCancelRequested c) {
            return new Input.CancelRequested(c);
        } else if (value instanceof VerificationResendRequested r) {
            return new Input.ResendRequested(r);
        } else if (value instanceof VerificationCommandResult r) {
            return new Input.Result(r);
        }
        throw new BadRecordException(value == null ? "record without a value"
                : "unexpected record type " + value.getClass().getSimpleName());
    }

    private OptionalLong sweep(long timestamp) {
        punctuate(timestamp);
        return deadlines.next();
    }

    /** Visible for the benchmark: handles what is due at {@code timestamp}; returns how many entries it visited. */
    int punctuate(long timestamp) {
        Instant now = Instant.ofEpochMilli(timestamp);
        return deadlines.sweep(timestamp, entry -> {
            VerificationState state = verifications.get(entry.id());
            if (state == null || !entry.matches(state.wakeAt())) {
                deadlines.discard(entry); // stale entry (should not happen)
                return;
            }
            Transition t = lifecycle.apply(state, new Input.Tick(entry.id(), now), now);
            apply(t, entry.id());
            if (expires(t)) {
                lifecycleMetrics.expired(Math.max(0L, timestamp - entry.wakeAt()));
            }
        });
    }

    private static boolean expires(Transition t) {
        for (Output output : t.outputs()) {
            if (output instanceof Output.Publish p && p.event() instanceof VerificationExpired) {
                return true;
            }
        }
        return false;
    }

    private void apply(Transition t, String requestId) {
        if (t.stateChanged()) {
            if (t.state() == null) {
                verifications.delete(requestId);
            } else {
                verifications.put(requestId, t.state());
            }
        }
        deadlines.move(requestId, t.before() == null ? null : t.before().wakeAt(),
                t.state() == null ? null : t.state().wakeAt());
        for (Output output : t.outputs()) {
            forward(output);
            if (output instanceof Output.Publish p && p.event() instanceof VerificationSent sent) {
                tellSent(sent, t.before());
            }
        }
        if (t.note() != null && LOG.isDebugEnabled()) {
            LOG.debug("requestId={}: {}", requestId, t.note());
        }
    }

    /** The send answered by this outcome is the command the state had in flight before the step. */
    private void tellSent(VerificationSent sent, VerificationState before) {
        if (before != null && before.inFlight() != null) {
            before.inFlight().admittedAt().ifPresent(admitted -> lifecycleMetrics.sent(
                    Math.max(0L, sent.getOccurredAt().toEpochMilli() - admitted.toEpochMilli())));
        }
    }

    private void forward(Output output) {
        if (output instanceof Output.Issue issue) {
            context.forward(new Record<>(issue.command().getRequestId(), (Object) issue.command(),
                    issue.command().getIssuedAt().toEpochMilli()), LifecycleTopology.COMMANDS_SINK);
        } else if (output instanceof Output.Notify notify) {
            context.forward(new Record<>(notify.notice().numberHash(), (Object) notify.notice(),
                    notify.notice().at().toEpochMilli()), LifecycleTopology.PERMITS_SINK);
        } else if (output instanceof Output.Publish publish) {
            OutcomeRoute route = OutcomeRoute.of(publish.event());
            context.forward(new Record<>(route.requestId(), (Object) publish.event(),
                    route.occurredAt().toEpochMilli()), route.sink());
            if (publish.event() instanceof VerificationFailed failed) {
                lifecycleMetrics.failed(failed.getReason());
            } else if (publish.event() instanceof ResendRejected rejected) {
                lifecycleMetrics.resendRejected(rejected.getReason());
            }
        }
    }
}
