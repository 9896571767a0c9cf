package io.egoiverify.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The per-number limits as a pure function: {@code (state, notice, now) → (new state, verdicts)}. One instance of the
 * state exists per number hash, in the task that owns the hash's partition of the permit topic, so every lifecycle
 * instance's requests for a number meet here and the limits hold for all of them together.
 */
public final class NumberGuard {
    private final AbuseLimits limits;
    private final Duration longestLife;

    public NumberGuard(LifecycleConfig config) {
        this.limits = Objects.requireNonNull(config, "config").abuse();
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
     */
    public record Step(NumberState state, List<PermitVerdict> verdicts, Limit refused) {
        public Step {
            verdicts = List.copyOf(verdicts);
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
                // Already granted (a replayed notice): grant again without counting it twice.
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
        return new Step(new NumberState(sends, s.failedChecks(), active), verdicts, null);
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
        return new Step(new NumberState(sends, s.failedChecks(), active), List.of(granted(n)), null);
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

    private static PermitVerdict granted(NumberNotice n) {
        return new PermitVerdict(n.requestId(), n.permitId(), PermitVerdict.Kind.GRANTED, null);
    }

    private static NumberState orNull(NumberState s) {
        return s.isEmpty() ? null : s;
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + " h" : s % 60 == 0 ? s / 60 + " min" : s + " s";
    }
}
