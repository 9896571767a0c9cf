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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Random histories for one requestId — inputs in any order, duplicated, with worker results of any status, stale and
 * replayed results, resends racing checks, cancels, expiries and each other, and clock jumps forwards and backwards —
 * checked against every CONTRACTS invariant, the resend rules included.
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

    /** Per-number limits on (any key): requests wait for the guard's verdict. */
    static final LifecycleConfig GUARDED = LifecycleConfig.defaults()
            .withAbuse(AbuseLimits.defaults("0123456789abcdef0123456789abcdef".getBytes()));
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
    static final Gen<List<Action>> RESEND_HISTORIES = choices -> {
        List<Action> history = new ArrayList<>();
        history.add(new Request(true));
        if (Gen.booleans().generate(choices)) {
            history.addAll(SENT_PREFIX);
        }
        history.addAll(Gen.frequency(RESEND_INPUTS).list(1, 40).generate(choices));
        return history;
    };

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

    private static void run(List<Action> history, LifecycleConfig config, Statistics statistics) {
        Lifecycle lifecycle = new Lifecycle(config);
        NumberNotice permitRequest = null;
        NumberNotice latestNotice = null;
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
                input = new Input.Verdict(v.verdict(permitRequest, latestNotice));
            } else if (a instanceof Resend) {
                input = new Input.ResendRequested(Fixtures.resend(ID, now));
            } else if (a instanceof Answer ans) {
                if (lastCommand == null) {
                    continue;
                }
                VerificationCommandResult res = Fixtures.result(ID, lastCommand.getCommandId(),
                        ans.status(lastCommand), now);
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
                if (o instanceof Output.Issue i) {
                    lastCommand = i.command();
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
                    // The worker's callStartedAt is the step's now: the code lives TTL from the call's start, and
                    // the state's next deadline is its expiry.
                    assertThat(sent.getExpiresAt()).isEqualTo(s.now().plus(config.defaultTtl()));
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
