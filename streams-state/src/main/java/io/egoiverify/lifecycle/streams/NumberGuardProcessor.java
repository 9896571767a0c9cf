package io.egoiverify.lifecycle.streams;

import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.GrantedCommand;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.NumberGuard;
import io.egoiverify.lifecycle.NumberNotice;
import io.egoiverify.lifecycle.NumberState;
import io.egoiverify.lifecycle.PermitVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts the pure {@link NumberGuard} to the permit topic (keyed by number hash) and the {@code numbers} store.
 * Verdicts go to the verdict topic keyed by requestId, back to the lifecycle task that owns it; a command a grant
 * issues goes to the command topic (keyed by requestId, like the lifecycle's) in the same transaction as the store
 * update and the verdict. Entries leave their windows through a {@link DeadlineIndex} (time ‖ hash) swept by a
 * wall-clock punctuation that a {@link DeadlineAlarm} arms only for when something is due, never by a scan of the
 * whole store. The number is unsealed only into a command: logs name ids (requestId, permit, command) and at most the
 * hash's first 8 characters, never a number or a command's body.
 */
final class NumberGuardProcessor implements Processor<String, NumberNotice, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(NumberGuardProcessor.class);
    /** A permit id is its requestId plus a short suffix ({@code /permit-resend-<n>/<millis>}). */
    private static final int MAX_PERMIT_ID_LENGTH = LifecycleConfig.ID_HARD_MAX_LENGTH + 128;
    /** The number's HMAC in hex: 64 characters. */
    private static final int MAX_NUMBER_HASH_LENGTH = 128;
    /** A granted command's text (the template is at most 1,600 characters): far below what a record holds. */
    private static final int MAX_COMMAND_CHARS = 65_536;

    private final NumberGuard guard;
    private final AbuseLimits limits;
    private final AbuseMetrics metrics;
    private final int maxDue;
    private final Duration interval;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, NumberState> numbers;
    private DeadlineIndex deadlines;

    NumberGuardProcessor(NumberGuard guard, AbuseMetrics metrics, int maxDue, Duration interval) {
        this.guard = guard;
        this.limits = guard.limits();
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.maxDue = maxDue;
        this.interval = interval;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.numbers = context.getStateStore(LifecycleTopology.NUMBERS_STORE);
        DeadlineAlarm alarm = new DeadlineAlarm(context, interval, this::sweep);
        this.deadlines = new DeadlineIndex(context.getStateStore(LifecycleTopology.NUMBER_DEADLINES_STORE), maxDue,
                alarm::wakeBy);
        deadlines.next().ifPresent(alarm::wakeBy); // what the restored store already holds
    }

    @Override
    public void process(Record<String, NumberNotice> record) {
        NumberNotice notice = record.value();
        if (notice == null || record.key() == null || !record.key().equals(notice.numberHash())) {
            throw new BadRecordException("permit notice without a value or with a key that is not its number hash");
        }
        refuseOversized(notice);
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        NumberState before = numbers.get(notice.numberHash());
        NumberGuard.Step step;
        try {
            step = guard.apply(before, notice, now);
        } catch (RuntimeException e) {
            // Nothing written yet (e.g. a sealed number the key cannot open): refused as a whole, dead-lettered. An
            // exception from here on fails the task, so that exactly-once rolls the half-done step back.
            throw BadRecordException.unfoldable(e);
        }
        store(notice.numberHash(), before, step.state());
        if (notice.kind() == NumberNotice.Kind.FAILED_CHECK) {
            metrics.failedCheck();
        }
        if (step.refused() != null) {
            metrics.refused(step.refused());
        }
        for (VerificationCommand c : step.commands()) {
            context.forward(new Record<>(c.getRequestId(), (Object) c, now.toEpochMilli()),
                    LifecycleTopology.GUARD_COMMANDS_SINK);
            if (LOG.isDebugEnabled()) {
                LOG.debug("permit {} granted: command {} issued", notice.permitId(), c.getCommandId());
            }
        }
        for (PermitVerdict v : step.verdicts()) {
            if (v.kind() == PermitVerdict.Kind.GRANTED) {
                metrics.granted();
            } else if (v.kind() == PermitVerdict.Kind.SUPERSEDED) {
                metrics.superseded();
            }
            context.forward(new Record<>(v.requestId(), (Object) v, now.toEpochMilli()),
                    LifecycleTopology.VERDICTS_SINK);
        }
    }

    /**
     * A notice larger than any the lifecycle writes (a rogue producer on the permit topic): its ids are stored in the
     * number's state and echoed in verdicts, its command becomes a command record, so one that filled its record could
     * make a changelog, verdict or command record the producer refuses for good, failing the task on it for ever.
     */
    private static void refuseOversized(NumberNotice notice) {
        if (notice.requestId().length() > LifecycleConfig.ID_HARD_MAX_LENGTH
                || notice.permitId().length() > MAX_PERMIT_ID_LENGTH
                || notice.numberHash().length() > MAX_NUMBER_HASH_LENGTH) {
            throw new BadRecordException("permit notice with an id longer than any the lifecycle writes");
        }
        GrantedCommand c = notice.command();
        if (c != null && length(c.senderProfile()) + length(c.sealedNumber()) + length(c.codeType())
                + length(c.message()) + length(c.group()) + length(c.providerRequestId()) > MAX_COMMAND_CHARS) {
            throw new BadRecordException("permit notice with a command larger than any the lifecycle writes");
        }
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private OptionalLong sweep(long timestamp) {
        punctuate(timestamp);
        return deadlines.next();
    }

    /** Drops what left its window; returns how many index entries it visited. */
    int punctuate(long timestamp) {
        Instant now = Instant.ofEpochMilli(timestamp);
        return deadlines.sweep(timestamp, entry -> {
            NumberState state = numbers.get(entry.id());
            if (state == null || !entry.matches(state.wakeAt(limits))) {
                deadlines.discard(entry); // stale entry: keeps the index self-healing
                if (state != null) {
                    // Filed under other windows (abuse.*-window changed since): filed again under today's, or the
                    // number's state stayed in the store until its next notice, for ever if none came.
                    deadlines.move(entry.id(), null, state.wakeAt(limits));
                }
                return;
            }
            store(entry.id(), state, guard.prune(state, now));
        });
    }

    private void store(String hash, NumberState before, NumberState after) {
        if (Objects.equals(before, after)) {
            return;
        }
        if (after == null) {
            numbers.delete(hash);
        } else {
            numbers.put(hash, after);
        }
        deadlines.move(hash, before == null ? null : before.wakeAt(limits),
                after == null ? null : after.wakeAt(limits));
    }
}
