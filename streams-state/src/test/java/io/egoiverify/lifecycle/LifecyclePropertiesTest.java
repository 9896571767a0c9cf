package io.egoiverify.lifecycle;

import static io.egoiverify.testing.property.Gen.weighted;
import static io.egoiverify.testing.property.Gen.weightedValue;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.FailureReason;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.testing.property.Gen;
import io.egoiverify.testing.property.Property;
import io.egoiverify.testing.property.Statistics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Random histories for one requestId — inputs in any order, duplicated, with worker results of any status, stale and
 * replayed results, and clock jumps forwards and backwards — checked against every CONTRACTS invariant.
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

    /** The worker answers the newest command it was given (if any); {@code choice} picks a plausible status. */
    record Answer(int choice) implements Action {
        CommandStatus status(VerificationCommand command) {
            if (command.getAction() instanceof SendCode) {
                return choice < 70 ? CommandStatus.SENT : choice < 78 ? CommandStatus.UNAVAILABLE
                        : choice < 85 ? CommandStatus.REJECTED : choice < 92 ? CommandStatus.DEADLINE_PASSED
                        : choice < 96 ? CommandStatus.UNKNOWN : CommandStatus.VERIFIED;
            }
            return choice < 45 ? CommandStatus.WRONG_CODE : choice < 60 ? CommandStatus.VERIFIED
                    : choice < 68 ? CommandStatus.ALREADY_VERIFIED : choice < 76 ? CommandStatus.CODE_EXPIRED
                    : choice < 84 ? CommandStatus.UNAVAILABLE : choice < 90 ? CommandStatus.REJECTED
                    : choice < 95 ? CommandStatus.DEADLINE_PASSED : choice < 98 ? CommandStatus.UNKNOWN
                    : CommandStatus.SENT;
        }
    }

    /** A result for a command that is not in flight any more (replayed or invented). */
    record Replay() implements Action {
    }

    /** The clock moves; with {@code tick} the punctuator runs too. */
    record Clock(long millis, boolean tick) implements Action {
    }

    /** The number guard answers the newest permit request (or, with {@code choice} ≥ 90, a permit never asked). */
    record Answer2(int choice) implements Action {
        PermitVerdict verdict(NumberNotice request) {
            PermitVerdict.Kind kind = choice < 60 ? PermitVerdict.Kind.GRANTED : choice < 80
                    ? PermitVerdict.Kind.REFUSED : PermitVerdict.Kind.SUPERSEDED;
            String permitId = request == null || choice >= 90 ? ID + "/permit/0" : request.permitId();
            return new PermitVerdict(ID, permitId, kind,
                    kind == PermitVerdict.Kind.REFUSED ? "sends-per-number" : null);
        }
    }

    /** Per-number limits on (any key): requests wait for the guard's verdict. */
    static final LifecycleConfig GUARDED = LifecycleConfig.defaults()
            .withAbuse(AbuseLimits.defaults("0123456789abcdef0123456789abcdef".getBytes()));

    /** One applied step. */
    record Step(VerificationState before, Input input, Instant now, Transition t) {
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

    /**
     * Every kind of input with its weight. A new kind of input is one more case here and one more branch in
     * {@link #run} (cases earlier in the list are what shrinking prefers).
     */
    static final List<Gen.Weighted<Action>> INPUTS = List.of(weighted(3, REQUEST), weighted(6, SUBMIT),
            weightedValue(1, new Cancel()), weighted(6, ANSWER), weightedValue(1, new Replay()), weighted(5, CLOCK),
            weighted(3, VERDICT));

    static final Gen<List<Action>> HISTORIES = Gen.frequency(INPUTS).list(1, 40);

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

    private static void run(List<Action> history, LifecycleConfig config, Statistics statistics) {
        Lifecycle lifecycle = new Lifecycle(config);
        NumberNotice permitRequest = null;
        List<Step> steps = new ArrayList<>();
        VerificationState state = null;
        Instant now = Fixtures.T0;
        VerificationCommand lastCommand = null;
        List<VerificationCommandResult> delivered = new ArrayList<>();
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
                input = new Input.Verdict(v.verdict(permitRequest));
            } else if (a instanceof Answer ans) {
                if (lastCommand == null) {
                    continue;
                }
                VerificationCommandResult res = Fixtures.result(ID, lastCommand.getCommandId(),
                        ans.status(lastCommand), now);
                delivered.add(res);
                input = new Input.Result(res);
            } else {
                input = new Input.Result(delivered.isEmpty()
                        ? Fixtures.result(ID, "never-issued", CommandStatus.VERIFIED, now)
                        : delivered.get(delivered.size() / 2));
            }
            Transition t = lifecycle.apply(state, input, now);
            steps.add(new Step(state, input, now, t));
            state = t.state();
            for (Output o : t.outputs()) {
                if (o instanceof Output.Issue i) {
                    lastCommand = i.command();
                } else if (o instanceof Output.Notify n && n.notice().kind() == NumberNotice.Kind.PERMIT_REQUEST) {
                    permitRequest = n.notice();
                }
            }
        }
        // Let every deadline pass (well inside the retention period): the project ends what it started.
        now = now.plus(Duration.ofHours(1));
        Transition flush = lifecycle.apply(state, new Input.Tick(ID, now), now);
        steps.add(new Step(state, new Input.Tick(ID, now), now, flush));
        check(steps, config, statistics);
    }

    private static String code(int i) {
        return "Z" + (10000 + i * 7919 % 90000);
    }

    private static void check(List<Step> steps, LifecycleConfig config, Statistics statistics) {
        List<SpecificRecord> events = new ArrayList<>();
        List<VerificationCommand> commands = new ArrayList<>();
        Set<String> codes = new HashSet<>();
        boolean requested = false;
        int terminals = 0;
        int wrongCodes = 0;
        boolean guarded = config.abuse().enabled();
        boolean permitRequested = false;
        int ended = 0;
        int failedChecks = 0;
        for (Step s : steps) {
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
            // Deadlines never lie in the past after a step.
            if (s.t().state() != null) {
                assertThat(s.t().state().wakeAt()).isAfter(s.now());
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
            for (Output o : s.t().outputs()) {
                if (o instanceof Output.Notify n) {
                    assertThat(guarded).as("no guard notice without per-number limits").isTrue();
                    assertThat(n.notice().numberHash()).hasSize(64).doesNotContain("910000000");
                    switch (n.notice().kind()) {
                        case PERMIT_REQUEST -> {
                            assertThat(permitRequested).as("one permit request per verification").isFalse();
                            permitRequested = true;
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
                    if (c.getAction() instanceof CheckCode) {
                        assertThat(s.before()).isNotNull();
                        assertThat(s.before().inFlight()).as("one check in flight").isNull();
                        assertThat(s.before().status()).isEqualTo(Status.SENT);
                        assertThat(s.before().expiresAt()).isAfter(s.now());
                        assertThat(s.before().attemptsRemaining()).isPositive();
                    }
                    commands.add(c);
                    continue;
                }
                SpecificRecord e = ((Output.Publish) o).event();
                assertThat(occurredAt(e)).isEqualTo(s.now());
                if (isTerminal(e)) {
                    terminals++;
                } else if (!(e instanceof CodeRejected)) {
                    assertThat(terminals).as("only CodeRejected after a terminal outcome").isZero();
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
                }
                events.add(e);
            }
        }
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

    private static boolean isTerminal(SpecificRecord e) {
        return e instanceof VerificationVerified || e instanceof VerificationExpired
                || e instanceof VerificationCancelled || e instanceof VerificationFailed;
    }

    private static Instant occurredAt(SpecificRecord e) {
        return (Instant) e.get(e.getSchema().getField("occurredAt").pos());
    }
}
