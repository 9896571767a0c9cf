package io.egoiverify.lifecycle;

import io.egoiverify.internal.VerificationCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The per-number limits as a pure function: {@code (state, notice, now) → (new state, verdicts, commands)}. One
 * instance of the state exists per number hash, in the task that owns the hash's partition of the permit topic, so
 * every lifecycle instance's requests for a number meet here and the limits hold for all of them together.
 *
 * <p>A permit request that carries its command ({@link GrantedCommand}) is answered, when granted, with that command
 * too ({@code SendCode} or {@code ResendCode}, id {@link CommandIds#granted} of the permit, the number unsealed into
 * it) and a verdict saying so: the lifecycle then only moves on. At most one command per permit: a replayed request
 * the guard recognises (its permit holds an active slot) is granted again without one.
 */
public final class NumberGuard {
    private final AbuseLimits limits;
    private final Duration longestLife;
    /** Unseals the number of a granted command; null without a number key (no limits: no guard either). */
    private final NumberKeys keys;

    public NumberGuard(LifecycleConfig config) {
        this.limits = Objects.requireNonNull(config, "config").abuse();
        this.keys = limits.enabled() ? new NumberKeys(limits.numberKey()) : null;
        // Granted → SENDING (send deadline + grace) → SENT (up to maxTtl) → CHECKING (+ grace): after that the
        // verification has ended for sure, so a slot whose ENDED notice got lost frees itself.
        this.longestLife = config.sendDeadline().plus(config.resultGrace()).plus(config.maxTtl())
                .plus(config.resultGrace());
    }

    public AbuseLimits limits() {
        return limits;
    }

    /**
     * @param state    the state (null = none)
     * @param verdicts answers for the lifecycle, keyed by their requestId
     * @param refused  the limit that refused a permit request in this step, or null
     * @param commands the command a grant issued (at most one; it carries the number: never log it)
     */
    public record Step(NumberState state, List<PermitVerdict> verdicts, Limit refused,
                       List<VerificationCommand> commands) {
        public Step {
            verdicts = List.copyOf(verdicts);
            commands = List.copyOf(commands);
        }

        /** A step that issues no command. */
        public Step(NumberState state, List<PermitVerdict> verdicts, Limit refused) {
            this(state, verdicts, refused, List.of());
        }
    }

    /** Drops what left its window; returns null when nothing is left. */
    public NumberState prune(NumberState state, Instant now) {
        if (state == null) {
            return null;
        }
        Instant sendFloor = now.minus(limits.sendWindow());
        Instant failFloor = now.minus(limits.failedCheckWindow());
        NumberState pruned = new NumberState(
                state.sends().stream().filter(t -> t.isAfter(sendFloor)).toList(),
                state.failedChecks().stream().filter(t -> t.isAfter(failFloor)).toList(),
                state.active().stream().filter(a -> a.until().isAfter(now)).toList());
        return pruned.isEmpty() ? null : pruned;
    }

    public Step apply(NumberState before, NumberNotice notice, Instant now) {
        NumberState state = prune(before, now);
        NumberState current = state == null ? NumberState.EMPTY : state;
        return switch (notice.kind()) {
            case PERMIT_REQUEST -> permit(current, notice, now);
            case RESEND_REQUEST -> resend(current, notice, now);
            case FAILED_CHECK -> {
                List<Instant> failed = new ArrayList<>(current.failedChecks());
                failed.add(now);
                // Only the most recent `limit` matter: the limit is reached when all of them are inside the window.
                while (failed.size() > limits.maxFailedChecks()) {
                    failed.remove(0);
                }
                yield new Step(new NumberState(current.sends(), failed, current.active()), List.of(), null);
            }
            case ENDED -> {
                List<NumberState.Active> active = current.active().stream()
                        .filter(a -> !a.permitId().equals(notice.permitId())).toList();
                yield new Step(orNull(new NumberState(current.sends(), current.failedChecks(), active)), List.of(),
                        null);
            }
        };
    }

    private Step permit(NumberState s, NumberNotice n, Instant now) {
        for (NumberState.Active a : s.active()) {
            if (a.permitId().equals(n.permitId())) {
                // Already granted (a replayed notice): grant again without counting it twice, and without a second
                // command (the worker does not de-duplicate by command id; the first is on the command topic).
                return new Step(s, List.of(granted(n)), null);
            }
        }
        Limit refused = null;
        if (!s.active().isEmpty() && limits.activePolicy() == AbuseLimits.ActivePolicy.REFUSE) {
            refused = Limit.ONE_ACTIVE_PER_NUMBER;
        } else if (s.failedChecks().size() >= limits.maxFailedChecks()) {
            refused = Limit.FAILED_CHECKS_PER_NUMBER;
        } else if (s.sends().size() >= limits.maxSendsPerWindow()) {
            refused = Limit.SENDS_PER_NUMBER;
        }
        if (refused != null) {
            PermitVerdict no = new PermitVerdict(n.requestId(), n.permitId(), PermitVerdict.Kind.REFUSED,
                    detail(refused));
            return new Step(orNull(s), List.of(no), refused);
        }
        List<PermitVerdict> verdicts = new ArrayList<>();
        List<NumberState.Active> active = new ArrayList<>();
        if (limits.activePolicy() == AbuseLimits.ActivePolicy.SUPERSEDE) {
            for (NumberState.Active a : s.active()) {
                verdicts.add(new PermitVerdict(a.requestId(), a.permitId(), PermitVerdict.Kind.SUPERSEDED, null));
            }
        } else if (limits.activePolicy() == AbuseLimits.ActivePolicy.REFUSE) {
            active.addAll(s.active()); // empty here
        }
        if (limits.activePolicy() != AbuseLimits.ActivePolicy.OFF) {
            active.add(new NumberState.Active(n.requestId(), n.permitId(), now.plus(longestLife)));
        }
        List<Instant> sends = new ArrayList<>(s.sends());
        sends.add(now);
        verdicts.add(granted(n));
        return new Step(new NumberState(sends, s.failedChecks(), active), verdicts, null, issue(n, now));
    }

    /**
     * A resend is a send for the send limit, and nothing else: the failed-check limit (it refuses new verifications;
     * a resend keeps the verification's attempt count) and the one-active policy (the verification is the live one)
     * do not apply. Granting it keeps the verification's slot alive for another full life, since a resend extends it.
     */
    private Step resend(NumberState s, NumberNotice n, Instant now) {
        if (s.sends().size() >= limits.maxSendsPerWindow()) {
            // The send that must leave the window for one more to fit (the oldest, unless the limit was lowered).
            Instant retryAt = s.sends().get(s.sends().size() - limits.maxSendsPerWindow()).plus(limits.sendWindow());
            PermitVerdict no = new PermitVerdict(n.requestId(), n.permitId(), PermitVerdict.Kind.REFUSED,
                    detail(Limit.SENDS_PER_NUMBER), retryAt);
            return new Step(orNull(s), List.of(no), Limit.SENDS_PER_NUMBER);
        }
        List<Instant> sends = new ArrayList<>(s.sends());
        sends.add(now);
        List<NumberState.Active> active = s.active().stream().map(a -> a.requestId().equals(n.requestId())
                ? new NumberState.Active(a.requestId(), a.permitId(), now.plus(longestLife)) : a).toList();
        return new Step(new NumberState(sends, s.failedChecks(), active), List.of(granted(n)), null,
                issue(n, now));
    }

    /** The command a grant issues: none for a request without one (the lifecycle issues it on the verdict). */
    private List<VerificationCommand> issue(NumberNotice n, Instant now) {
        return n.command() == null ? List.of()
                : List.of(n.command().command(n.requestId(), CommandIds.granted(n.permitId()), now, keys));
    }

    /** The text after "rate limited: " in VerificationFailed.detail; starts with the limit's id. */
    public String detail(Limit limit) {
        return switch (limit) {
            case SENDS_PER_NUMBER -> limit.id() + " (at most " + limits.maxSendsPerWindow() + " codes sent to one "
                    + "number per " + human(limits.sendWindow()) + ")";
            case FAILED_CHECKS_PER_NUMBER -> limit.id() + " (" + limits.maxFailedChecks() + " wrong codes for this "
                    + "number within " + human(limits.failedCheckWindow())
                    + "; no new code is sent until they age out)";
            case ONE_ACTIVE_PER_NUMBER -> limit.id() + " (the number already has a verification in progress)";
        };
    }

    /** Marked "command issued" exactly when the request carried the command (also for a replay: issued before). */
    private static PermitVerdict granted(NumberNotice n) {
        return new PermitVerdict(n.requestId(), n.permitId(), PermitVerdict.Kind.GRANTED, null, null,
                n.command() != null);
    }

    private static NumberState orNull(NumberState s) {
        return s.isEmpty() ? null : s;
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + " h" : s % 60 == 0 ? s / 60 + " min" : s + " s";
    }
}
