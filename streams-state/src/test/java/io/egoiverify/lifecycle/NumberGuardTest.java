package io.egoiverify.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.lifecycle.AbuseLimits.ActivePolicy;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.lifecycle.PermitVerdict.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The number guard's limits, one test per limit, on the pure function. */
@Timeout(10)
class NumberGuardTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    static final String HASH = "h".repeat(64);

    private NumberState state;
    private Instant now = Fixtures.T0;
    private int requests;

    private NumberGuard guard(AbuseLimits limits) {
        return new NumberGuard(LifecycleConfig.defaults().withAbuse(limits));
    }

    private NumberGuard.Step permit(NumberGuard guard, String requestId) {
        return step(guard, new NumberNotice(NumberNotice.Kind.PERMIT_REQUEST, HASH, requestId,
                requestId + "/permit/" + (++requests), now));
    }

    private NumberGuard.Step step(NumberGuard guard, NumberNotice notice) {
        NumberGuard.Step step = guard.apply(state, notice, now);
        state = step.state();
        return step;
    }

    private static Kind kind(NumberGuard.Step step) {
        return step.verdicts().get(step.verdicts().size() - 1).kind();
    }

    @Test
    void sendsPerNumberPerSlidingWindow() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.OFF)
                .withSends(3, Duration.ofMinutes(10)));
        for (int i = 0; i < 3; i++) {
            assertThat(kind(permit(g, "r" + i))).isEqualTo(Kind.GRANTED);
            now = now.plusSeconds(60);
        }
        NumberGuard.Step refused = permit(g, "r3");
        assertThat(refused.refused()).isEqualTo(Limit.SENDS_PER_NUMBER);
        assertThat(refused.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(Kind.REFUSED);
            assertThat(v.limit()).startsWith("sends-per-number").contains("at most 3");
        });
        // Sliding: the first send leaves the window 10 min after it, and exactly one more is allowed.
        now = Fixtures.T0.plus(Duration.ofMinutes(10));
        assertThat(kind(permit(g, "r4"))).isEqualTo(Kind.GRANTED);
        assertThat(kind(permit(g, "r5"))).isEqualTo(Kind.REFUSED);
        assertThat(state.sends()).hasSize(3);
    }

    /**
     * abuse.sends-per-number lowered (5 → 2) while the guard holds three sends of a number: the counts are instants,
     * judged by today's limit, so the number is refused at once; a resend's retry instant is when enough sends have
     * left the window for one more to fit under the new limit.
     */
    @Test
    void aLoweredSendLimitAppliesAtOnceToTheCountsHeld() {
        NumberGuard five = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.OFF)
                .withSends(5, Duration.ofMinutes(10)));
        for (int i = 0; i < 3; i++) {
            assertThat(kind(permit(five, "r" + i))).isEqualTo(Kind.GRANTED);
            now = now.plusSeconds(60);
        }
        NumberGuard two = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.OFF)
                .withSends(2, Duration.ofMinutes(10)));
        assertThat(permit(two, "r3").refused()).isEqualTo(Limit.SENDS_PER_NUMBER);
        NumberGuard.Step resend = step(two, new NumberNotice(NumberNotice.Kind.RESEND_REQUEST, HASH, "r2",
                "r2/permit-resend-2/1", now));
        assertThat(resend.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(Kind.REFUSED);
            assertThat(v.retryAt()).as("the second send leaves the window: one slot of two is free")
                    .isEqualTo(Fixtures.T0.plusSeconds(60).plus(Duration.ofMinutes(10)));
        });
    }

    @Test
    void failedChecksPerNumberAcrossVerifications() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.OFF)
                .withFailedChecks(3, Duration.ofMinutes(30)));
        assertThat(kind(permit(g, "a"))).isEqualTo(Kind.GRANTED);
        assertThat(kind(permit(g, "b"))).isEqualTo(Kind.GRANTED);
        for (String id : List.of("a", "b", "a", "b", "a")) {
            step(g, new NumberNotice(NumberNotice.Kind.FAILED_CHECK, HASH, id, id + "/permit/x", now));
        }
        assertThat(state.failedChecks()).as("only the most recent `limit` are kept").hasSize(3);
        NumberGuard.Step refused = permit(g, "c");
        assertThat(refused.refused()).isEqualTo(Limit.FAILED_CHECKS_PER_NUMBER);
        assertThat(refused.verdicts().get(0).limit()).startsWith("failed-checks-per-number");
        now = now.plus(Duration.ofMinutes(30));
        assertThat(kind(permit(g, "d"))).isEqualTo(Kind.GRANTED);
    }

    @Test
    void oneActivePerNumberRefuse() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.REFUSE));
        NumberGuard.Step first = permit(g, "a");
        assertThat(kind(first)).isEqualTo(Kind.GRANTED);
        NumberGuard.Step second = permit(g, "b");
        assertThat(second.refused()).isEqualTo(Limit.ONE_ACTIVE_PER_NUMBER);
        assertThat(second.verdicts().get(0).limit()).startsWith("one-active-per-number");
        // The end of "a" frees the slot.
        step(g, new NumberNotice(NumberNotice.Kind.ENDED, HASH, "a", first.verdicts().get(0).permitId(), now));
        assertThat(kind(permit(g, "c"))).isEqualTo(Kind.GRANTED);
    }

    @Test
    void oneActivePerNumberSupersede() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.SUPERSEDE));
        NumberGuard.Step first = permit(g, "a");
        NumberGuard.Step second = permit(g, "b");
        assertThat(second.verdicts()).extracting(PermitVerdict::requestId, PermitVerdict::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", Kind.SUPERSEDED),
                org.assertj.core.groups.Tuple.tuple("b", Kind.GRANTED));
        assertThat(second.verdicts().get(0).permitId()).isEqualTo(first.verdicts().get(0).permitId());
        assertThat(state.active()).extracting(NumberState.Active::requestId).containsExactly("b");
    }

    @Test
    void activeSlotFreesItselfAfterTheLongestLifeEvenWithoutEnded() {
        LifecycleConfig config = LifecycleConfig.defaults().withAbuse(AbuseLimits.defaults(KEY)
                .withActivePolicy(ActivePolicy.REFUSE));
        NumberGuard g = new NumberGuard(config);
        permit(g, "a");
        Duration life = config.sendDeadline().plus(config.resultGrace()).plus(config.maxTtl())
                .plus(config.resultGrace());
        now = now.plus(life).minusMillis(1);
        assertThat(kind(permit(g, "b"))).isEqualTo(Kind.REFUSED);
        now = now.plusMillis(1);
        assertThat(kind(permit(g, "c"))).isEqualTo(Kind.GRANTED);
    }

    @Test
    void stateIsBoundedAndEmptiesWhenEverythingLeftItsWindow() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.OFF));
        for (int i = 0; i < 50; i++) {
            permit(g, "r" + i);
        }
        assertThat(state.sends()).hasSize(5);
        assertThat(state.wakeAt(g.limits())).isEqualTo(Fixtures.T0.plus(Duration.ofHours(1)));
        assertThat(g.prune(state, Fixtures.T0.plus(Duration.ofHours(1)))).isNull();
    }

    @Test
    void aReplayedPermitRequestIsGrantedAgainWithoutCountingTwice() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.REFUSE));
        NumberNotice n = new NumberNotice(NumberNotice.Kind.PERMIT_REQUEST, HASH, "a", "a/permit/1", now);
        assertThat(kind(step(g, n))).isEqualTo(Kind.GRANTED);
        assertThat(kind(step(g, n))).isEqualTo(Kind.GRANTED);
        assertThat(state.sends()).hasSize(1);
    }

    private NumberGuard.Step resend(NumberGuard guard, String requestId) {
        return step(guard, new NumberNotice(NumberNotice.Kind.RESEND_REQUEST, HASH, requestId,
                requestId + "/permit-resend-" + (++requests) + "/1", now));
    }

    @Test
    void aResendIsASendForTheSendLimit() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY).withSends(3, Duration.ofMinutes(10)));
        assertThat(kind(permit(g, "r1"))).isEqualTo(Kind.GRANTED);
        now = now.plusSeconds(30);
        assertThat(kind(resend(g, "r1"))).isEqualTo(Kind.GRANTED);
        now = now.plusSeconds(30);
        assertThat(kind(resend(g, "r1"))).isEqualTo(Kind.GRANTED);
        assertThat(state.sends()).hasSize(3);
        now = now.plusSeconds(30);
        NumberGuard.Step refused = resend(g, "r1");
        assertThat(refused.refused()).isEqualTo(Limit.SENDS_PER_NUMBER);
        assertThat(refused.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(Kind.REFUSED);
            assertThat(v.limit()).startsWith("sends-per-number");
            // When the first send leaves the 10 min window, one more fits.
            assertThat(v.retryAt()).isEqualTo(Fixtures.T0.plus(Duration.ofMinutes(10)));
        });
        assertThat(state.sends()).as("a refusal is not counted").hasSize(3);
        // A new verification of the number is refused by the same count.
        assertThat(kind(permit(g, "r2"))).isEqualTo(Kind.REFUSED);
    }

    @Test
    void aVerificationsOwnResendIsNotANewVerification() {
        for (ActivePolicy policy : ActivePolicy.values()) {
            state = null;
            NumberGuard g = guard(AbuseLimits.defaults(KEY).withActivePolicy(policy));
            permit(g, "r1");
            NumberGuard.Step step = resend(g, "r1");
            assertThat(step.verdicts()).as(policy + ": granted, nothing superseded").singleElement()
                    .satisfies(v -> assertThat(v.kind()).isEqualTo(Kind.GRANTED));
            assertThat(state.active()).as(policy.name())
                    .hasSize(policy == ActivePolicy.OFF ? 0 : 1);
        }
    }

    @Test
    void wrongCodesDoNotRefuseAResendAndAResendKeepsTheSlotAlive() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY).withFailedChecks(1, Duration.ofHours(1)));
        permit(g, "r1");
        Instant firstUntil = state.active().get(0).until();
        step(g, new NumberNotice(NumberNotice.Kind.FAILED_CHECK, HASH, "r1", "r1/permit/1", now));
        now = now.plusSeconds(30);
        assertThat(kind(resend(g, "r1"))).as("the attempts of the verification still bound its guesses")
                .isEqualTo(Kind.GRANTED);
        assertThat(state.active().get(0).until()).isEqualTo(firstUntil.plusSeconds(30));
        assertThat(kind(permit(g, "r2"))).as("a new verification is refused").isEqualTo(Kind.REFUSED);
    }

    private static final NumberKeys KEYS = new NumberKeys(KEY);

    /** What the lifecycle puts in a request when the guard issues the command (lifecycle.guard-issues-commands). */
    static GrantedCommand send(String requestId, Instant deadline) {
        return new GrantedCommand("default", deadline, KEYS.seal(requestId, Fixtures.PHONE), "numeric", 6, 60,
                "Code {CODE}", "g1", null, 1);
    }

    private NumberGuard.Step permitCarrying(NumberGuard guard, String requestId, String permitId) {
        return step(guard, new NumberNotice(NumberNotice.Kind.PERMIT_REQUEST, HASH, requestId, permitId, now,
                send(requestId, now.plusSeconds(25))));
    }

    @Test
    void aGrantIssuesTheSendTheRequestCarriesWithTheNumberUnsealed() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY));
        now = now.plusMillis(7);
        NumberGuard.Step step = permitCarrying(g, "r1", "r1/permit/1767225600000");
        assertThat(step.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(Kind.GRANTED);
            assertThat(v.commandIssued()).isTrue();
        });
        assertThat(step.commands()).singleElement().satisfies(c -> {
            assertThat(c.getCommandId()).as("the id the lifecycle awaits").isEqualTo("r1/send/1767225600000");
            assertThat(c.getRequestId()).isEqualTo("r1");
            assertThat(c.getIssuedAt()).isEqualTo(now);
            assertThat(c.getDeadline()).isEqualTo(now.plusSeconds(25));
            assertThat(c.getSenderProfile()).isEqualTo("default");
            SendCode send = (SendCode) c.getAction();
            assertThat(List.<Object>of(send.getPhoneNumber(), send.getCodeType(), send.getCodeSize(),
                    send.getTtlSeconds(), send.getMessage(), send.getGroup()))
                    .containsExactly(Fixtures.PHONE, "numeric", 6, 60, "Code {CODE}", "g1");
        });
        assertThat(state.toString()).doesNotContain("910000000");
    }

    @Test
    void aResendGrantIssuesTheResendTheRequestCarries() {
        NumberGuard g = guard(AbuseLimits.defaults(KEY));
        permitCarrying(g, "r1", "r1/permit/1");
        GrantedCommand resend = new GrantedCommand("default", now.plusSeconds(25), KEYS.seal("r1", Fixtures.PHONE),
                "numeric", 6, 60, "Code {CODE}", null, "egoi-7", 2);
        NumberGuard.Step step = step(g, new NumberNotice(NumberNotice.Kind.RESEND_REQUEST, HASH, "r1",
                "r1/permit-resend-2/9", now, resend));
        assertThat(step.verdicts().get(0).commandIssued()).isTrue();
        assertThat(step.commands()).singleElement().satisfies(c -> {
            assertThat(c.getCommandId()).isEqualTo("r1/resend-2/9");
            ResendCode r = (ResendCode) c.getAction();
            assertThat(r.getProviderRequestId()).isEqualTo("egoi-7");
            assertThat(r.getSendCount()).isEqualTo(2);
            assertThat(r.getNewSend().getPhoneNumber()).isEqualTo(Fixtures.PHONE);
        });
        // A verification stored before resend kept no sealed number: the resend has no new send (V2 needs none).
        GrantedCommand bare = new GrantedCommand("default", now.plusSeconds(25), null, null, 6, 60, null, null,
                "egoi-7", 3);
        NumberGuard.Step second = step(g, new NumberNotice(NumberNotice.Kind.RESEND_REQUEST, HASH, "r1",
                "r1/permit-resend-3/10", now, bare));
        assertThat(((ResendCode) second.commands().get(0).getAction()).getNewSend()).isNull();
    }

    @Test
    void refusalsAndSupersedesIssueNothing() {
        NumberGuard refuse = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.REFUSE));
        assertThat(permitCarrying(refuse, "a", "a/permit/1").commands()).hasSize(1);
        NumberGuard.Step refused = permitCarrying(refuse, "b", "b/permit/1");
        assertThat(refused.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(Kind.REFUSED);
            assertThat(v.commandIssued()).isFalse();
        });
        assertThat(refused.commands()).isEmpty();
        state = null;
        NumberGuard supersede = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.SUPERSEDE));
        permitCarrying(supersede, "a", "a/permit/1");
        NumberGuard.Step second = permitCarrying(supersede, "b", "b/permit/1");
        assertThat(second.verdicts()).extracting(PermitVerdict::kind, PermitVerdict::commandIssued).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.SUPERSEDED, false),
                org.assertj.core.groups.Tuple.tuple(Kind.GRANTED, true));
        assertThat(second.commands()).extracting(c -> c.getRequestId()).containsExactly("b");
    }

    @Test
    void aRequestWithoutItsCommandIsGrantedWithoutOne() {
        // lifecycle.guard-issues-commands=false, or a request written by the previous release.
        NumberGuard.Step step = permit(guard(AbuseLimits.defaults(KEY)), "r1");
        assertThat(step.verdicts().get(0).kind()).isEqualTo(Kind.GRANTED);
        assertThat(step.verdicts().get(0).commandIssued()).isFalse();
        assertThat(step.commands()).isEmpty();
    }

    @Test
    void aReplayedRequestTheGuardRecognisesIsNotIssuedTwice() {
        for (ActivePolicy policy : List.of(ActivePolicy.REFUSE, ActivePolicy.SUPERSEDE)) {
            state = null;
            NumberGuard g = guard(AbuseLimits.defaults(KEY).withActivePolicy(policy));
            assertThat(permitCarrying(g, "a", "a/permit/1").commands()).hasSize(1);
            NumberGuard.Step replay = permitCarrying(g, "a", "a/permit/1");
            assertThat(replay.verdicts()).as(policy.name()).singleElement().satisfies(v -> {
                assertThat(v.kind()).isEqualTo(Kind.GRANTED);
                assertThat(v.commandIssued()).as("issued by the first grant").isTrue();
            });
            assertThat(replay.commands()).as(policy + ": no second command").isEmpty();
        }
        // Policy OFF keeps no slot to recognise a replay by: it is a new grant (counted again, as before) and its
        // command goes out again with the same id. Under exactly-once a notice is never delivered twice.
        state = null;
        NumberGuard off = guard(AbuseLimits.defaults(KEY).withActivePolicy(ActivePolicy.OFF));
        String first = permitCarrying(off, "a", "a/permit/1").commands().get(0).getCommandId();
        assertThat(permitCarrying(off, "a", "a/permit/1").commands()).extracting(c -> c.getCommandId())
                .containsExactly(first);
    }
}
