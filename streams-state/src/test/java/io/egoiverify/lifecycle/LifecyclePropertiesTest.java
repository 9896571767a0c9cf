package io.egoiverify.lifecycle;

import static io.egoiverify.testing.property.Gen.weighted;
import static io.egoiverify.testing.property.Gen.weightedValue;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.FailureReason;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.internal.CancelVerification;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.testing.property.Gen;
import io.egoiverify.testing.property.Property;
import io.egoiverify.testing.property.Statistics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Random histories for one requestId — inputs in any order, duplicated, with worker results of any status, stale and
 * replayed results, resends racing checks, cancels, expiries and each other, and clock jumps forwards and backwards —
 * checked against every CONTRACTS invariant, the resend rules included. With per-number limits the guard is modelled
 * twice: answering with verdicts the lifecycle acts on (lifecycle.guard-issues-commands=false), and as the issuer of
 * the granted command, its verdict travelling on its own topic (so a result may come first) and the worker refusing a
 * command past its deadline (the default).
 */
class LifecyclePropertiesTest {
    private static final String ID = "req-p";

    /** One thing that happens in a history. */
    sealed interface Action {
    }

    record Request(boolean valid) implements Action {
    }

    record Submit(int submission, int code) implements Action {
    }

    record Cancel() implements Action {
    }

    /** A resend request (CONTRACTS: verification.resend-requested). */
    record Resend() implements Action {
    }

    /** The worker answers the newest command it was given (if any); {@code choice} picks a plausible status. */
    record Answer(int choice) implements Action {
        CommandStatus status(VerificationCommand command) {
            if (command.getAction() instanceof ResendCode) {
                return choice < 60 ? CommandStatus.SENT : choice < 72 ? CommandStatus.UNAVAILABLE
                        : choice < 82 ? CommandStatus.REJECTED : choice < 90 ? CommandStatus.DEADLINE_PASSED
                        : choice < 94 ? CommandStatus.CANCELLED : choice < 97 ? CommandStatus.UNKNOWN
                        : CommandStatus.WRONG_CODE;
            }
            if (command.getAction() instanceof CancelVerification) {
                return choice < 80 ? CommandStatus.CANCELLED : CommandStatus.UNAVAILABLE;
            }
            if (command.getAction() instanceof SendCode) {
                return choice < 70 ? CommandStatus.SENT : choice < 78 ? CommandStatus.UNAVAILABLE
                        : choice < 85 ? CommandStatus.REJECTED : choice < 92 ? CommandStatus.DEADLINE_PASSED
                        : choice < 96 ? CommandStatus.UNKNOWN : CommandStatus.VERIFIED;
            }
            return choice < 45 ? CommandStatus.WRONG_CODE : choice < 60 ? CommandStatus.VERIFIED
                    : choice < 68 ? CommandStatus.ALREADY_VERIFIED : choice < 76 ? CommandStatus.CODE_EXPIRED
                    : choice < 84 ? CommandStatus.UNAVAILABLE : choice < 90 ? CommandStatus.REJECTED
                    : choice < 95 ? CommandStatus.DEADLINE_PASSED : choice < 97 ? CommandStatus.UNKNOWN
                    : choice < 98 ? CommandStatus.CANCELLED : CommandStatus.SENT;
        }
    }

    /** A result for a command that is not in flight any more (replayed or invented). */
    record Replay() implements Action {
    }

    /** The clock moves; with {@code tick} the punctuator runs too. */
    record Clock(long millis, boolean tick) implements Action {
    }

    /**
     * The number guard answers the newest permit or resend-permit request (or, with {@code choice} ≥ 90, a permit
     * never asked); SUPERSEDED names the verification's own permit, as the guard does. A refused resend gets a retry
     * instant (10 min after it was asked).
     */
    record Answer2(int choice) implements Action {
        PermitVerdict verdict(NumberNotice request, NumberNotice latest) {
            PermitVerdict.Kind kind = choice < 60 ? PermitVerdict.Kind.GRANTED : choice < 80
                    ? PermitVerdict.Kind.REFUSED : PermitVerdict.Kind.SUPERSEDED;
            NumberNotice asked = kind == PermitVerdict.Kind.SUPERSEDED ? request : latest;
            String permitId = asked == null || choice >= 90 ? ID + "/permit/0" : asked.permitId();
            Instant retryAt = kind == PermitVerdict.Kind.REFUSED && asked != null
                    && asked.kind() == NumberNotice.Kind.RESEND_REQUEST ? asked.at().plusSeconds(600) : null;
            return new PermitVerdict(ID, permitId, kind,
                    kind == PermitVerdict.Kind.REFUSED ? "sends-per-number" : null, retryAt);
        }
    }

    /**
     * The guard's oldest verdict not yet delivered reaches the lifecycle (only where the guard issues commands: its
     * verdicts travel on their own topic, in order, and its commands' results may overtake them).
     */
    record Deliver() implements Action {
    }

    /** Per-number limits on (any key): requests wait for the guard's verdict; the lifecycle issues what it grants. */
    static final LifecycleConfig GUARDED = LifecycleConfig.defaults()
            .withAbuse(AbuseLimits.defaults("0123456789abcdef0123456789abcdef".getBytes()))
            .withGuardIssuesCommands(false);
    /** Per-number limits on, the guard issuing the granted send or resend itself (the default). */
    static final LifecycleConfig GUARD_ISSUES = GUARDED.withGuardIssuesCommands(true);
    /** A short resend cooldown, so that histories accept resends often (30 s is a long wait in a history). */
    static final ResendPolicy QUICK_RESENDS = new ResendPolicy(Duration.ofSeconds(5), 3);

    /**
     * One applied step. {@code current} is the state once the deadlines due at {@code now} fired, i.e. the state the
     * input met (the lifecycle fires them first).
     */
    record Step(VerificationState before, VerificationState current, Input input, Instant now, Transition t) {
    }

    static final Gen<Action> REQUEST = Gen.of(true, true, true, true, true, true, true, false).map(Request::new);
    static final Gen<Action> SUBMIT = choices -> new Submit(Gen.ints(1, 6).generate(choices),
            Gen.ints(0, 9).generate(choices));
    static final Gen<Action> ANSWER = Gen.ints(0, 99).map(Answer::new);
    static final Gen<Long> CLOCK_JUMP = Gen.frequency(weighted(5, Gen.longs(0, 5_000)),
            weighted(3, Gen.longs(10_000, 80_000)), weighted(1, Gen.longs(300_000, 1_800_000)),
            weighted(1, Gen.longs(-3_000, -1)));
    static final Gen<Action> CLOCK = choices -> new Clock(CLOCK_JUMP.generate(choices),
            Gen.booleans().generate(choices));
    static final Gen<Action> VERDICT = Gen.ints(0, 99).map(Answer2::new);
    static final Gen<Action> RESEND = Gen.constant(new Resend());

    /**
     * Every kind of input with its weight. A new kind of input is one more case here and one more branch in
     * {@link #run} (cases earlier in the list are what shrinking prefers).
     */
    static final List<Gen.Weighted<Action>> INPUTS = List.of(weighted(3, REQUEST), weighted(6, SUBMIT),
            weightedValue(1, new Cancel()), weighted(6, ANSWER), weightedValue(1, new Replay()), weighted(5, CLOCK),
            weighted(3, VERDICT), weighted(3, RESEND));

    static final Gen<List<Action>> HISTORIES = Gen.frequency(INPUTS).list(1, 40);

    /**
     * Histories that live long enough to resend: a valid request first (half of them also granted, sent and 5 s old,
     * as the prefix {@link #SENT_PREFIX}; without limits the verdict in it is for no permit and dropped), then the
     * same kinds of input weighted towards answers, resends and short clock steps (a few seconds: around the
     * cooldown, the TTL and the deadlines), so that resends race checks, cancels, expiries and each other.
     */
    static final Gen<Long> SHORT_JUMP = Gen.frequency(weighted(6, Gen.longs(0, 8_000)),
            weighted(3, Gen.longs(8_000, 40_000)), weighted(1, Gen.longs(-3_000, -1)));
    static final List<Gen.Weighted<Action>> RESEND_INPUTS = List.of(weighted(1, REQUEST), weighted(4, SUBMIT),
            weightedValue(1, new Cancel()), weighted(7, ANSWER), weightedValue(1, new Replay()),
            weighted(5, choices -> new Clock(SHORT_JUMP.generate(choices), Gen.booleans().generate(choices))),
            weighted(3, VERDICT), weighted(5, RESEND));
    static final List<Action> SENT_PREFIX = List.of(new Answer2(0), new Answer(0), new Clock(5_000, false));
    static final Gen<List<Action>> RESEND_HISTORIES = histories(List.of(new Request(true)), SENT_PREFIX,
            RESEND_INPUTS);

    /**
     * The same inputs, the delivery of the guard's verdicts (which the guard-issuing model holds back), and clock steps
     * of 24–40 s: from a request or an accepted resend into the window between its command's deadline (25 s) and
     * the end of the grace after it (40 s), where only a call started before the deadline may still answer. Half of
     * them start with a valid request the guard granted (its send issued, the verdict still under way).
     */
    static final Gen<List<Action>> ISSUING_HISTORIES = histories(List.of(),
            List.of(new Request(true), new Answer2(0)), withDeliveries(INPUTS));
    /** As {@link #RESEND_HISTORIES}; in the prefix the code is sent before the guard's verdict arrives. */
    static final Gen<List<Action>> ISSUING_RESEND_HISTORIES = histories(List.of(new Request(true)),
            List.of(new Answer2(0), new Answer(0), new Deliver(), new Clock(5_000, false)),
            withDeliveries(RESEND_INPUTS));

    /** {@code first}, then half of the time {@code maybe}, then 1 to 40 inputs drawn from {@code inputs}. */
    private static Gen<List<Action>> histories(List<Action> first, List<Action> maybe,
                                               List<Gen.Weighted<Action>> inputs) {
        return choices -> {
            List<Action> history = new ArrayList<>(first);
            if (Gen.booleans().generate(choices)) {
                history.addAll(maybe);
            }
            history.addAll(Gen.frequency(inputs).list(1, 40).generate(choices));
            return history;
        };
    }

    private static List<Gen.Weighted<Action>> withDeliveries(List<Gen.Weighted<Action>> inputs) {
        List<Gen.Weighted<Action>> all = new ArrayList<>(inputs);
        all.add(weightedValue(5, new Deliver()));
        all.add(weighted(2, choices -> new Clock(Gen.longs(24_000, 40_000).generate(choices),
                Gen.booleans().generate(choices))));
        return all;
    }

    @Test
    void everyHistoryKeepsTheContract() {
        Property.forAll(HISTORIES).tries(1200)
                .checkWithStatistics((history, statistics) -> run(history, LifecycleConfig.defaults(), statistics))
                .requireAtLeast("terminal outcome", "VerificationVerified", 1)
                .requireAtLeast("terminal outcome", "VerificationExpired", 1)
                .requireAtLeast("terminal outcome", "VerificationCancelled", 1)
                .requireAtLeast("terminal outcome", "VerificationFailed", 1);
    }

    @Test
    void everyHistoryWithPerNumberLimitsKeepsTheContract() {
        Property.forAll(HISTORIES).tries(800)
                .checkWithStatistics((history, statistics) -> run(history, GUARDED, statistics))
                .requireAtLeast("terminal outcome", "VerificationExpired", 1)
                .requireAtLeast("terminal outcome", "VerificationCancelled", 1)
                .requireAtLeast("terminal outcome", "VerificationFailed", 1);
    }

    /**
     * Resend interleavings: resends racing a check, a cancel, the expiry and each other (a duplicate), with a short
     * cooldown so that many are accepted; every resend rule and the one-command-in-flight rule hold.
     */
    @Test
    void everyHistoryWithResendsKeepsTheContract() {
        Property.forAll(RESEND_HISTORIES).tries(1000)
                .checkWithStatistics((history, statistics) -> run(history,
                        LifecycleConfig.defaults().withResend(QUICK_RESENDS), statistics))
                .requireAtLeast("codes sent", 2, 1)
                .requireAtLeast("codes sent", 3, 1)
                .requireAtLeast("resend answered", "COOLDOWN", 1)
                .requireAtLeast("resend answered", "NOT_ACTIVE", 1)
                .requireAtLeast("resend answered", "FAILED", 1)
                .requireAtLeast("resend answered", "TOO_MANY_SENDS", 1)
                .requireAtLeast("resend answered", "CHECK_IN_PROGRESS", 1)
                .requireAtLeast("resend answered", "NOT_SENT_YET", 1)
                .requireAtLeast("resend raced", "submission while resending", 1)
                .requireAtLeast("resend raced", "cancel while resending", 1)
                .requireAtLeast("resend raced", "expiry while resending", 1);
    }

    @Test
    void everyHistoryWithResendsAndPerNumberLimitsKeepsTheContract() {
        Property.forAll(RESEND_HISTORIES).tries(600)
                .checkWithStatistics((history, statistics) -> run(history, GUARDED.withResend(QUICK_RESENDS),
                        statistics))
                .requireAtLeast("codes sent", 2, 1)
                .requireAtLeast("resend answered", "RATE_LIMITED", 1);
    }

    /**
     * The guard as the issuer of granted commands: the lifecycle's guard and worker, modelled. Each permit is
     * answered once (a later answer repeats it, as the guard's replay does, without a second command); SUPERSEDED
     * only for a permit it granted. A grant issues the command its request carried, with the id and deadline the
     * lifecycle awaits; the verdict waits in {@link #inTransit} for a {@link Deliver}.
     */
    @Test
    void everyHistoryWithTheGuardIssuingCommandsKeepsTheContract() {
        Property.forAll(ISSUING_HISTORIES).tries(800)
                .checkWithStatistics((history, statistics) -> run(history, GUARD_ISSUES, statistics))
                .requireAtLeast("terminal outcome", "VerificationExpired", 1)
                .requireAtLeast("terminal outcome", "VerificationCancelled", 1)
                .requireAtLeast("terminal outcome", "VerificationFailed", 1)
                .requireAtLeast("guard", "result before its verdict", 1)
                .requireAtLeast("guard", "grant after the lifecycle gave up", 1)
                .requireAtLeast("guard", "late call folded", 1)
                .requireAtLeast("guard", "no verdict nor result in time", 1);
    }

    @Test
    void everyHistoryWithResendsAndTheGuardIssuingCommandsKeepsTheContract() {
        Property.forAll(ISSUING_RESEND_HISTORIES).tries(600)
                .checkWithStatistics((history, statistics) -> run(history, GUARD_ISSUES.withResend(QUICK_RESENDS),
                        statistics))
                .requireAtLeast("codes sent", 2, 1)
                .requireAtLeast("resend answered", "RATE_LIMITED", 1)
                .requireAtLeast("resend answered", "FAILED", 1)
                .requireAtLeast("guard", "resend result before its verdict", 1);
    }

    /** A command the guard issued, and when. */
    record Issued(VerificationCommand command, Instant at) {
    }

    /** The guard, where it issues commands (see {@link #everyHistoryWithTheGuardIssuingCommandsKeepsTheContract}). */
    private static final class IssuingGuard {
        final NumberKeys keys;
        final Map<String, PermitVerdict> decided = new HashMap<>();
        final Deque<PermitVerdict> inTransit = new ArrayDeque<>();
        final List<Issued> issued = new ArrayList<>();
        /** The command each permit's requester awaits, as the state that wrote the request says. */
        final Map<String, InFlight> awaited = new HashMap<>();

        IssuingGuard(LifecycleConfig config) {
            this.keys = new NumberKeys(config.abuse().numberKey());
        }

        /** Answers {@code v} (for {@code asked}, or a permit never asked); returns the command issued, or null. */
        VerificationCommand answer(PermitVerdict v, NumberNotice asked, Instant now) {
            if (v.kind() == PermitVerdict.Kind.SUPERSEDED) {
                PermitVerdict own = decided.get(v.permitId());
                if (own != null && own.kind() == PermitVerdict.Kind.GRANTED) {
                    inTransit.add(v);
                }
                return null;
            }
            if (asked == null) {
                inTransit.add(v);
                return null;
            }
            PermitVerdict first = decided.get(v.permitId());
            if (first != null) {
                inTransit.add(first); // a replay: the same answer, no second command
                return null;
            }
            boolean issues = v.kind() == PermitVerdict.Kind.GRANTED && asked.command() != null;
            PermitVerdict verdict = new PermitVerdict(v.requestId(), v.permitId(), v.kind(), v.limit(), v.retryAt(),
                    issues);
            decided.put(v.permitId(), verdict);
            inTransit.add(verdict);
            if (!issues) {
                return null;
            }
            VerificationCommand c = asked.command().command(ID, CommandIds.granted(asked.permitId()), now, keys);
            InFlight expected = awaited.get(asked.permitId());
            assertThat(c.getCommandId()).as("the guard issues the command the lifecycle awaits")
                    .isEqualTo(expected.commandId());
            assertThat(c.getDeadline()).as("with the deadline the lifecycle awaits it by")
                    .isEqualTo(expected.deadline());
            issued.add(new Issued(c, now));
            return c;
        }
    }

    /** The notice a verdict answers, or null for a permit never asked. */
    private static NumberNotice askedFor(PermitVerdict v, NumberNotice request, NumberNotice latest) {
        if (latest != null && latest.permitId().equals(v.permitId())) {
            return latest;
        }
        return request != null && request.permitId().equals(v.permitId()) ? request : null;
    }

    /**
     * The worker, where the guard issues commands: no call starts at or after a command's deadline (DEADLINE_PASSED);
     * an answer after it is, every other time, a call started just before it that answers within the grace.
     */
    private static VerificationCommandResult answer(VerificationCommand c, Answer ans, Instant now,
                                                    LifecycleConfig config) {
        CommandStatus status = ans.status(c);
        Instant started = now;
        if (!now.isBefore(c.getDeadline())) {
            if (now.isBefore(c.getDeadline().plus(config.resultGrace())) && ans.choice() % 2 == 0) {
                started = c.getDeadline().minusMillis(1);
            } else {
                status = CommandStatus.DEADLINE_PASSED;
            }
        }
        VerificationCommandResult res = Fixtures.result(ID, c.getCommandId(), status, now);
        if (status == CommandStatus.SENT) {
            res.setCallStartedAt(started);
        }
        return res;
    }

    private static void run(List<Action> history, LifecycleConfig config, Statistics statistics) {
        Lifecycle lifecycle = new Lifecycle(config);
        NumberNotice permitRequest = null;
        NumberNotice latestNotice = null;
        List<Step> steps = new ArrayList<>();
        VerificationState state = null;
        Instant now = Fixtures.T0;
        VerificationCommand lastCommand = null;
        List<VerificationCommandResult> delivered = new ArrayList<>();
        IssuingGuard guard = config.abuse().enabled() && config.guardIssuesCommands() ? new IssuingGuard(config)
                : null;
        Map<String, VerificationCommand> byId = new HashMap<>();
        for (Action a : history) {
            Input input;
            if (a instanceof Clock c) {
                now = now.plusMillis(c.millis());
                if (!c.tick()) {
                    continue;
                }
                input = new Input.Tick(ID, now);
            } else if (a instanceof Request r) {
                var b = Fixtures.request(ID, now);
                input = new Input.Requested((r.valid() ? b : b.setPhoneNumber("+1")).build());
            } else if (a instanceof Submit s) {
                input = new Input.Submitted(Fixtures.submit(ID, "sub-" + s.submission(), code(s.code()), now));
            } else if (a instanceof Cancel) {
                input = new Input.CancelRequested(Fixtures.cancel(ID, "why", now));
            } else if (a instanceof Answer2 v) {
                PermitVerdict verdict = v.verdict(permitRequest, latestNotice);
                if (guard == null) {
                    input = new Input.Verdict(verdict);
                } else {
                    VerificationCommand c = guard.answer(verdict, askedFor(verdict, permitRequest, latestNotice),
                            now);
                    if (c != null) {
                        VerificationState awaiting = lifecycle.apply(state, new Input.Tick(ID, now), now).state();
                        if (awaiting == null || awaiting.inFlight() == null
                                || !awaiting.inFlight().commandId().equals(c.getCommandId())) {
                            statistics.collect("guard", "grant after the lifecycle gave up");
                        }
                        lastCommand = c;
                        byId.put(c.getCommandId(), c);
                    }
                    continue;
                }
            } else if (a instanceof Deliver) {
                if (guard == null || guard.inTransit.isEmpty()) {
                    continue;
                }
                input = new Input.Verdict(guard.inTransit.poll());
            } else if (a instanceof Resend) {
                input = new Input.ResendRequested(Fixtures.resend(ID, now));
            } else if (a instanceof Answer ans) {
                if (lastCommand == null) {
                    continue;
                }
                VerificationCommandResult res = guard != null ? answer(lastCommand, ans, now, config)
                        : Fixtures.result(ID, lastCommand.getCommandId(), ans.status(lastCommand), now);
                if (res.getStatus() == CommandStatus.SENT) {
                    // Each send and resend gets an E-goi id of its own: only the latest may be checked.
                    res.setProviderRequestId("egoi-" + lastCommand.getCommandId());
                }
                delivered.add(res);
                input = new Input.Result(res);
            } else {
                input = new Input.Result(delivered.isEmpty()
                        ? Fixtures.result(ID, "never-issued", CommandStatus.VERIFIED, now)
                        : delivered.get(delivered.size() / 2));
            }
            VerificationState current = lifecycle.apply(state, new Input.Tick(ID, now), now).state();
            Transition t = lifecycle.apply(state, input, now);
            steps.add(new Step(state, current, input, now, t));
            state = t.state();
            for (Output o : t.outputs()) {
                if (o instanceof Output.Notify n && guard != null && n.notice().command() != null) {
                    guard.awaited.put(n.notice().permitId(), t.state().inFlight());
                }
                if (o instanceof Output.Issue i) {
                    lastCommand = i.command();
                    byId.put(i.command().getCommandId(), i.command());
                } else if (o instanceof Output.Notify n && n.notice().kind() == NumberNotice.Kind.PERMIT_REQUEST) {
                    permitRequest = n.notice();
                    latestNotice = n.notice();
                } else if (o instanceof Output.Notify n && n.notice().kind() == NumberNotice.Kind.RESEND_REQUEST) {
                    latestNotice = n.notice();
                }
            }
        }
        // Let every deadline pass (well inside the retention period): the project ends what it started.
        now = now.plus(Duration.ofHours(1));
        Transition flush = lifecycle.apply(state, new Input.Tick(ID, now), now);
        steps.add(new Step(state, flush.state(), new Input.Tick(ID, now), now, flush));
        check(steps, config, statistics, guard == null ? List.of() : guard.issued);
        checkAwaitedResults(steps, config, byId, statistics);
    }

    /**
     * No SMS for a verification that already failed: a state awaiting a send or resend result (the lifecycle's own
     * command, or the one the guard issues on grant) wakes no earlier than the command's deadline + resultGrace; and
     * the first answer to a send or resend that went out (SENT), arriving before the lifecycle's clock reached that
     * instant, is folded into a VerificationSent — whether its verdict came first or not — unless the verification
     * was cancelled meanwhile.
     */
    private static void checkAwaitedResults(List<Step> steps, LifecycleConfig config,
                                            Map<String, VerificationCommand> byId, Statistics statistics) {
        Instant clock = Instant.MIN;
        Set<String> answered = new HashSet<>();
        for (Step s : steps) {
            clock = s.now().isAfter(clock) ? s.now() : clock;
            VerificationState after = s.t().state();
            if (after != null && after.inFlight() != null && !after.inFlight().isCheck()) {
                assertThat(after.wakeAt()).as("a send or resend result is awaited until its deadline + grace")
                        .isAfterOrEqualTo(after.inFlight().deadline().plus(config.resultGrace()));
            }
            VerificationState met = s.current();
            if (s.t().outputs().stream().anyMatch(o -> o instanceof Output.Publish p
                    && p.event() instanceof VerificationFailed f
                    && f.getDetail().startsWith("no rate-limit verdict or"))) {
                statistics.collect("guard", "no verdict nor result in time");
            }
            if (!(s.input() instanceof Input.Result r) || !answered.add(r.result().getCommandId())) {
                continue;
            }
            VerificationCommand c = byId.get(r.result().getCommandId());
            if (c == null || !(c.getAction() instanceof SendCode || c.getAction() instanceof ResendCode)
                    || r.result().getStatus() != CommandStatus.SENT
                    || !clock.isBefore(c.getDeadline().plus(config.resultGrace()))) {
                continue;
            }
            if (met != null && (met.status() == Status.AWAITING_PERMIT
                    || met.status() == Status.AWAITING_RESEND_PERMIT)) {
                statistics.collect("guard", met.status() == Status.AWAITING_PERMIT ? "result before its verdict"
                        : "resend result before its verdict");
            }
            if (met != null && met.status() == Status.CANCELLED) {
                continue; // a cancel (or supersede) may come before the SMS's result: CONTRACTS allows it
            }
            assertThat(s.t().outputs()).as("the SMS of " + c.getCommandId() + " answered in time is folded")
                    .anyMatch(o -> o instanceof Output.Publish p && p.event() instanceof VerificationSent);
            Instant started = r.result().getCallStartedAt();
            if (!s.now().isBefore(c.getDeadline()) && started != null && started.isBefore(c.getDeadline())) {
                statistics.collect("guard", "late call folded"); // started before its deadline, answered after it
            }
        }
    }

    private static String code(int i) {
        return "Z" + (10000 + i * 7919 % 90000);
    }

    /** @param guardIssued the commands the guard issued (counted with the lifecycle's for "at most one SMS") */
    private static void check(List<Step> steps, LifecycleConfig config, Statistics statistics,
                              List<Issued> guardIssued) {
        List<SpecificRecord> events = new ArrayList<>();
        List<VerificationCommand> commands = new ArrayList<>();
        guardIssued.forEach(i -> commands.add(i.command()));
        boolean guardIssues = config.abuse().enabled() && config.guardIssuesCommands();
        Set<String> codes = new HashSet<>();
        boolean requested = false;
        int terminals = 0;
        int wrongCodes = 0;
        boolean guarded = config.abuse().enabled();
        boolean permitRequested = false;
        int ended = 0;
        int failedChecks = 0;
        // Resend bookkeeping, derived from the outputs alone.
        boolean resendPending = false;
        int codesSent = 0;
        String latestProviderId = null;
        int maxSends = config.resendPolicy(LifecycleConfig.DEFAULT_PROFILE).maxSends();
        for (Step s : steps) {
            VerificationState met = s.current();
            raced(s, statistics);
            if (s.input() instanceof Input.ResendRequested && Objects.equals(s.before(), met)) {
                // A resend is answered at once and alone: a refusal, or its acceptance (command or permit request).
                assertThat(s.t().outputs()).as("one answer per resend request").hasSize(1);
                if (!(s.t().outputs().get(0) instanceof Output.Publish)) {
                    assertAcceptable(met, s.now());
                } else {
                    assertThat(s.t().state()).as("a refused resend changes nothing").isEqualTo(met);
                }
            }
            if (s.input() instanceof Input.Submitted sub) {
                codes.add(sub.event().getCode());
            }
            if (s.input() instanceof Input.Requested && (s.before() == null
                    || s.before().status() == Status.CANCEL_PENDING)) {
                requested = true;
            }
            // Invariant 6: a new invalid request fails INVALID_REQUEST; a new valid one is admitted; a duplicate is
            // silent.
            if (s.input() instanceof Input.Requested r && s.before() != null && s.before().wakeAt().isAfter(s.now())
                    && s.before().status() != Status.CANCEL_PENDING) {
                assertThat(s.t().outputs()).as("duplicate request").isEmpty();
            }
            if (s.input() instanceof Input.Requested r && s.before() == null) {
                boolean valid = !r.event().getPhoneNumber().equals("+1");
                assertThat(s.t().outputs()).singleElement().satisfies(o -> {
                    if (valid && guarded) {
                        // Per-number limits: the send waits for the guard's permit.
                        assertThat(((Output.Notify) o).notice().kind()).isEqualTo(NumberNotice.Kind.PERMIT_REQUEST);
                        assertThat(s.t().state().status()).isEqualTo(Status.AWAITING_PERMIT);
                    } else if (valid) {
                        assertThat(o).isInstanceOf(Output.Issue.class);
                    } else {
                        assertThat(((VerificationFailed) ((Output.Publish) o).event()).getReason())
                                .isEqualTo(FailureReason.INVALID_REQUEST);
                    }
                });
            }
            // A remembered cancel is no verification: an invalid request after it still fails INVALID_REQUEST; a
            // valid one is answered cancelled, without an SMS.
            if (s.input() instanceof Input.Requested r && s.before() != null
                    && s.before().status() == Status.CANCEL_PENDING && s.before().wakeAt().isAfter(s.now())) {
                boolean valid = !r.event().getPhoneNumber().equals("+1");
                assertThat(s.t().outputs()).singleElement().satisfies(o -> {
                    Object event = ((Output.Publish) o).event();
                    if (valid) {
                        assertThat(event).isInstanceOf(VerificationCancelled.class);
                    } else {
                        assertThat(((VerificationFailed) event).getReason()).isEqualTo(FailureReason.INVALID_REQUEST);
                    }
                });
            }
            // Deadlines never lie in the past after a step.
            if (s.t().state() != null) {
                assertThat(s.t().state().wakeAt()).as("next deadline after the step").isAfter(s.now());
            }
            // A result for a command not in flight changes nothing (unless a deadline fired first).
            if (s.input() instanceof Input.Result r && s.before() != null && s.before().wakeAt().isAfter(s.now())
                    && (s.before().inFlight() == null
                    || !s.before().inFlight().commandId().equals(r.result().getCommandId()))) {
                assertThat(s.t().outputs()).as("outputs of a result for a command not in flight").isEmpty();
                assertThat(s.t().state()).as("state after a result for a command not in flight")
                        .isEqualTo(s.before());
            }
            // The number never appears in clear in state (only masked, and sealed while a permit is awaited).
            assertThat(String.valueOf(s.t().state())).doesNotContain("910000000");
            if (s.t().state() != null && s.t().state().pendingSend() != null) {
                assertThat(s.t().state().pendingSend().sealedNumber()).doesNotContain("910000000");
            }
            if (s.t().state() != null && s.t().state().resendSeed() != null) {
                assertThat(guarded).as("a number is sealed for resends only with a number key").isTrue();
                assertThat(s.t().state().resendSeed().sealedNumber()).doesNotContain("910000000");
            }
            for (Output o : s.t().outputs()) {
                if (o instanceof Output.Notify n) {
                    assertThat(guarded).as("no guard notice without per-number limits").isTrue();
                    assertThat(n.notice().numberHash()).hasSize(64).doesNotContain("910000000");
                    switch (n.notice().kind()) {
                        case PERMIT_REQUEST -> {
                            assertThat(permitRequested).as("one permit request per verification").isFalse();
                            permitRequested = true;
                        }
                        case RESEND_REQUEST -> {
                            assertThat(s.input()).isInstanceOf(Input.ResendRequested.class);
                            assertThat(resendPending).as("one resend at a time").isFalse();
                            assertThat(n.notice().permitId()).isNotEqualTo(met.permitId());
                            resendPending = true;
                        }
                        case FAILED_CHECK -> failedChecks++;
                        case ENDED -> {
                            assertThat(permitRequested).isTrue();
                            ended++;
                        }
                    }
                    continue;
                }
                if (o instanceof Output.Issue i) {
                    assertThat(guardIssues && (i.command().getAction() instanceof SendCode
                            || i.command().getAction() instanceof ResendCode))
                            .as("the lifecycle issues no send or resend where the guard does").isFalse();
                    if (guarded && i.command().getAction() instanceof SendCode send) {
                        // A send under per-number limits follows a GRANTED verdict for this very permit.
                        assertThat(s.input()).isInstanceOfSatisfying(Input.Verdict.class, v -> assertThat(
                                v.verdict().kind()).isEqualTo(PermitVerdict.Kind.GRANTED));
                        assertThat(send.getPhoneNumber()).isEqualTo(Fixtures.PHONE);
                    }
                    // Invariant 1: nothing but rejections after a terminal outcome; 3/4: admitted before the call.
                    assertThat(terminals).as("command after a terminal outcome").isZero();
                    VerificationCommand c = i.command();
                    assertThat(c.getDeadline()).isAfter(s.now());
                    if (c.getAction() instanceof CheckCode check) {
                        // On the state the submission met: a resend that gave up at this very instant reopened it.
                        assertThat(met).isNotNull();
                        assertThat(met.inFlight()).as("one check in flight").isNull();
                        assertThat(met.status()).isEqualTo(Status.SENT);
                        assertThat(met.expiresAt()).isAfter(s.now());
                        assertThat(met.attemptsRemaining()).isPositive();
                        assertThat(resendPending).as("no check while a resend is under way").isFalse();
                        assertThat(check.getProviderRequestId()).as("only the latest code is checked")
                                .isEqualTo(latestProviderId);
                    }
                    if (c.getAction() instanceof ResendCode resend) {
                        if (s.input() instanceof Input.Verdict v) {
                            // The resend's permit was granted: the command follows it.
                            assertThat(guarded).isTrue();
                            assertThat(v.verdict().kind()).isEqualTo(PermitVerdict.Kind.GRANTED);
                            assertThat(met.status()).isEqualTo(Status.AWAITING_RESEND_PERMIT);
                            assertThat(v.verdict().permitId()).isEqualTo(met.pendingResend().permitId());
                            assertThat(resendPending).isTrue();
                        } else {
                            assertThat(s.input()).isInstanceOf(Input.ResendRequested.class);
                            assertThat(resendPending).as("one resend at a time").isFalse();
                            resendPending = true;
                        }
                        assertThat(met.inFlight()).as("one command in flight").isNull();
                        assertThat(resend.getProviderRequestId()).isEqualTo(latestProviderId);
                        assertThat(resend.getSendCount()).isEqualTo(codesSent + 1);
                        if (guarded) {
                            assertThat(resend.getNewSend().getPhoneNumber()).isEqualTo(Fixtures.PHONE);
                        } else {
                            assertThat(resend.getNewSend()).as("nothing sealed without a number key").isNull();
                        }
                    }
                    if (c.getAction() instanceof CancelVerification cancel) {
                        // Cancelled at E-goi too, best effort: only a verification E-goi knows, by its latest id.
                        assertThat(cancel.getProviderRequestId()).isEqualTo(latestProviderId).isNotNull();
                        assertThat(s.t().state().status()).isEqualTo(Status.CANCELLED);
                        assertThat(s.input()).isInstanceOfAny(Input.CancelRequested.class, Input.Verdict.class);
                    }
                    commands.add(c);
                    continue;
                }
                SpecificRecord e = ((Output.Publish) o).event();
                assertThat(occurredAt(e)).isEqualTo(s.now());
                if (isTerminal(e)) {
                    terminals++;
                    resendPending = false; // a terminal outcome answers a resend under way too
                } else if (e instanceof ResendRejected r) {
                    if (terminals > 0) {
                        assertThat(r.getReason()).as("after a terminal outcome only NOT_ACTIVE")
                                .isEqualTo(ResendRejectReason.NOT_ACTIVE);
                    }
                    if (resendPending && r.getReason() == ResendRejectReason.FAILED && mayHaveSent(s)) {
                        codesSent++; // its number is used up: it counts against the maximum
                        statistics.collect("resend answered", "FAILED, a code may have gone out");
                    }
                    resendPending = resendAnswered(r, s, resendPending, statistics);
                } else if (!(e instanceof CodeRejected)) {
                    assertThat(terminals).as("only CodeRejected and ResendRejected after a terminal outcome")
                            .isZero();
                }
                if (e instanceof CodeRejected r && r.getReason() == RejectReason.WRONG_CODE) {
                    wrongCodes++;
                    assertThat(r.getAttemptsRemaining()).isEqualTo(config.defaultMaxAttempts() - wrongCodes);
                }
                if (e instanceof VerificationFailed f && f.getReason() == FailureReason.MAX_ATTEMPTS_REACHED) {
                    assertThat(wrongCodes).isEqualTo(config.defaultMaxAttempts());
                }
                if (e instanceof VerificationVerified) {
                    assertThat(commands).anyMatch(c -> c.getAction() instanceof CheckCode);
                }
                if (e instanceof VerificationSent sent) {
                    assertThat(commands).anyMatch(c -> c.getAction() instanceof SendCode);
                    assertThat(sent.getPhoneNumberMasked()).isEqualTo("+351*******00");
                    assertThat(sent.getSendCount()).as("codes are numbered 1, 2, …").isEqualTo(codesSent + 1);
                    assertThat(sent.getSendCount()).as("at most maxSends codes").isLessThanOrEqualTo(maxSends);
                    if (sent.getSendCount() > 1) {
                        assertThat(resendPending).as("a second code answers an accepted resend").isTrue();
                        resendPending = false;
                    }
                    // The code lives TTL from the call's start: the worker's callStartedAt when it lies between the
                    // command's issue and this step (the lifecycle's clock), else the nearest edge of that window.
                    Instant issued = s.before().inFlight().issuedAt();
                    Instant earliest = issued.isAfter(s.now()) ? s.now() : issued;
                    Instant started = sent.getExpiresAt().minus(config.defaultTtl());
                    assertThat(started).isBetween(earliest, s.now());
                    Instant reported = s.input() instanceof Input.Result r ? r.result().getCallStartedAt() : null;
                    if (reported != null && !reported.isBefore(earliest) && !reported.isAfter(s.now())) {
                        assertThat(started).isEqualTo(reported);
                    }
                    assertThat(s.t().state().wakeAt()).isEqualTo(sent.getExpiresAt());
                    assertThat(sent.getProviderRequestId()).as("the new code's E-goi id is adopted")
                            .isNotEqualTo(latestProviderId);
                    latestProviderId = sent.getProviderRequestId();
                    codesSent = sent.getSendCount();
                }
                events.add(e);
            }
        }
        assertThat(resendPending).as("every accepted resend is answered").isFalse();
        statistics.collect("codes sent", codesSent);
        statistics.collect("terminal outcome", events.stream().filter(LifecyclePropertiesTest::isTerminal)
                .map(e -> e.getClass().getSimpleName()).findFirst().orElse("none"));
        statistics.collect("checks admitted", Math.min(3, (int) commands.stream()
                .filter(c -> c.getAction() instanceof CheckCode).count()));
        // Invariant 1 (and 2): exactly one terminal outcome for an accepted request, at most one otherwise.
        assertThat(terminals).isLessThanOrEqualTo(1);
        if (requested) {
            assertThat(terminals).as("an accepted request ends in exactly one terminal outcome").isEqualTo(1);
        } else {
            assertThat(terminals).isZero();
        }
        if (guarded) {
            // The guard hears of every end of a verification that asked it, once, and of every wrong code.
            assertThat(ended).as("ENDED notices").isEqualTo(permitRequested ? 1 : 0);
            assertThat(failedChecks).as("FAILED_CHECK notices, one per wrong code").isEqualTo(wrongCodes);
        }
        // Invariant 3: at most one SMS; invariant 4: a submission is checked at most once.
        assertThat(commands.stream().filter(c -> c.getAction() instanceof SendCode)).hasSizeLessThanOrEqualTo(1);
        List<String> checked = commands.stream().filter(c -> c.getAction() instanceof CheckCode)
                .map(c -> ((CheckCode) c.getAction()).getSubmissionId()).toList();
        assertThat(checked).doesNotHaveDuplicates();
        // Secrets: no submitted code in any state or outcome.
        for (Step s : steps) {
            String state = String.valueOf(s.t().state());
            for (String code : codes) {
                assertThat(state).doesNotContain(code);
            }
        }
        for (SpecificRecord e : events) {
            for (String code : codes) {
                assertThat(e.toString()).doesNotContain(code);
            }
        }
    }

    /** The rules that accept a resend, on the state it met. */
    private static void assertAcceptable(VerificationState met, Instant now) {
        assertThat(met.status()).as("a resend is accepted only while SENT").isEqualTo(Status.SENT);
        assertThat(met.inFlight()).as("nothing in flight").isNull();
        assertThat(met.expiresAt()).as("unexpired").isAfter(now);
        assertThat(met.lastSendAt().plus(met.resendCooldown())).as("after the cooldown").isBeforeOrEqualTo(now);
        assertThat(met.sendCount()).as("below the maximum number of codes").isLessThan(met.maxSends());
    }

    /**
     * A ResendRejected: FAILED and RATE_LIMITED answer an accepted resend, every other reason answers the request of
     * the same step; where waiting cannot help the retry is 0. Returns whether a resend is still pending.
     */
    private static boolean resendAnswered(ResendRejected r, Step s, boolean pending, Statistics statistics) {
        statistics.collect("resend answered", r.getReason());
        assertThat(r.getRetryAfterSeconds()).isNotNegative();
        switch (r.getReason()) {
            case FAILED, RATE_LIMITED -> {
                assertThat(pending).as(r.getReason() + " answers an accepted resend").isTrue();
                return false;
            }
            case UNKNOWN_REQUEST, NOT_ACTIVE, TOO_MANY_SENDS -> {
                assertThat(r.getRetryAfterSeconds()).as("waiting does not help " + r.getReason()).isZero();
                assertThat(s.input()).isInstanceOf(Input.ResendRequested.class);
                return pending;
            }
            default -> {
                assertThat(s.input()).isInstanceOf(Input.ResendRequested.class);
                if (r.getReason() == ResendRejectReason.COOLDOWN && s.current() != null
                        && s.current().resending()) {
                    statistics.collect("resend raced", "duplicate resend");
                }
                return pending;
            }
        }
    }

    /**
     * Whether the resend a FAILED answers may have sent a code: its result says the outcome is unknown (or SENT
     * without E-goi's id), or it was given up while its command was out.
     */
    private static boolean mayHaveSent(Step s) {
        // Given up when its deadline fired, before the step's input (any input, a stale result included): the
        // command was out, and the deadlines took it away.
        InFlight out = s.before() == null ? null : s.before().inFlight();
        InFlight left = s.current() == null ? null : s.current().inFlight();
        if (out != null && (left == null || !left.commandId().equals(out.commandId()))) {
            return true;
        }
        if (s.input() instanceof Input.Result r && out != null
                && out.commandId().equals(r.result().getCommandId())) {
            CommandStatus status = r.result().getStatus();
            if (status == CommandStatus.SENT) {
                return r.result().getProviderRequestId() == null || r.result().getProviderRequestId().isBlank();
            }
            return status != CommandStatus.REJECTED && status != CommandStatus.DEADLINE_PASSED;
        }
        // a tick whose deadline gave the resend up without a command out, a permit refused or come too late
        return false;
    }

    /** Coverage of the races the resend properties are about. */
    private static void raced(Step s, Statistics statistics) {
        VerificationState met = s.current();
        if (met != null && met.resending() && s.input() instanceof Input.Submitted) {
            statistics.collect("resend raced", "submission while resending");
        }
        if (met != null && met.resending() && s.input() instanceof Input.CancelRequested) {
            statistics.collect("resend raced", "cancel while resending");
        }
        if (s.before() != null && s.before().resending() && !s.before().wakeAt().isAfter(s.now())
                && met != null && met.status() == Status.EXPIRED) {
            statistics.collect("resend raced", "expiry while resending");
        }
    }

    private static boolean isTerminal(SpecificRecord e) {
        return e instanceof VerificationVerified || e instanceof VerificationExpired
                || e instanceof VerificationCancelled || e instanceof VerificationFailed;
    }

    private static Instant occurredAt(SpecificRecord e) {
        return (Instant) e.get(e.getSchema().getField("occurredAt").pos());
    }
}
