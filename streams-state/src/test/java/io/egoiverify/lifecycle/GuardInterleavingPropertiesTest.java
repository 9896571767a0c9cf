package io.egoiverify.lifecycle;

import static io.egoiverify.testing.property.Gen.weightedValue;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.AbuseLimits.ActivePolicy;
import io.egoiverify.testing.property.Gen;
import io.egoiverify.testing.property.Property;
import io.egoiverify.testing.property.Statistics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The number guard under any interleaving: several lifecycle partitions (each writing its notices in order, as one
 * task's producer does) feed the guard's one partition for a number hash in an arbitrary merge, with clock advances
 * and window-expiry punctuations in between. After every step the limits hold for each number across all of them;
 * a resend counts as a send, and only as a send. Most requests carry their command (the guard issues it when it
 * grants), some do not (lifecycle.guard-issues-commands off, or the previous release, mid-upgrade): a grant issues
 * exactly the command its request carried, with the id the lifecycle awaits and no later deadline, at most once per
 * permit; a refusal or a supersede issues none.
 */
class GuardInterleavingPropertiesTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private static final Duration SEND_WINDOW = Duration.ofSeconds(60);
    private static final Duration FAIL_WINDOW = Duration.ofSeconds(90);

    /**
     * What one lifecycle partition does, in its own order; {@code carries}: a permit or resend request carries the
     * command the guard issues on grant.
     */
    record Event(int partition, int verification, String number, NumberNotice.Kind kind, boolean carries) {
        @Override
        public String toString() {
            return "v" + verification + " " + number + " " + kind + (carries ? "+command" : "");
        }
    }

    /** One delivery: which partition's next notice arrives, how far the clock moved, whether the sweep ran. */
    record Slot(int partition, long advanceMillis, boolean prune) {
        @Override
        public String toString() {
            return "p" + partition + (advanceMillis > 0 ? " +" + advanceMillis / 1000 + "s" : "")
                    + (prune ? " sweep" : "");
        }
    }

    record Scenario(int maxSends, int maxFailed, ActivePolicy policy, List<List<Event>> partitions,
                    List<Slot> schedule) {
        /** One line per partition's script, and the schedule, so that a counterexample reads at a glance. */
        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("maxSends=" + maxSends + " maxFailed=" + maxFailed + " policy="
                    + policy);
            for (int p = 0; p < partitions.size(); p++) {
                out.append("\npartition ").append(p).append(": ").append(partitions.get(p));
            }
            return out.append("\nschedule: ").append(schedule).toString();
        }
    }

    static final Gen<List<List<Event>>> PARTITIONS = Gen.ints(1, 4).flatMap(p -> Gen.ints(0, 99).list(2, 14)
            .list(p).map(GuardInterleavingPropertiesTest::scripts));
    static final Gen<Long> ADVANCE = Gen.frequency(weightedValue(6, 0L), weightedValue(3, 5_000L),
            weightedValue(2, 20_000L), weightedValue(1, 61_000L));
    static final Gen<Slot> SLOT = choices -> new Slot(Gen.ints(0, 3).generate(choices), ADVANCE.generate(choices),
            Gen.of(false, false, true).generate(choices));
    static final Gen<Scenario> SCENARIOS = choices -> new Scenario(Gen.ints(1, 4).generate(choices),
            Gen.ints(1, 4).generate(choices), Gen.of(ActivePolicy.class).generate(choices),
            PARTITIONS.generate(choices), SLOT.list(20, 80).generate(choices));

    /**
     * Turns random ints into per-partition scripts: request, maybe wrong codes and resends, maybe the end, per
     * verification.
     */
    private static List<List<Event>> scripts(List<List<Integer>> raw) {
        List<List<Event>> out = new ArrayList<>();
        for (int p = 0; p < raw.size(); p++) {
            List<Event> script = new ArrayList<>();
            List<Integer> open = new ArrayList<>();
            int next = 0;
            for (int r : raw.get(p)) {
                if (open.isEmpty() || r < 40) {
                    int v = next++;
                    open.add(v);
                    script.add(new Event(p, v, r % 2 == 0 ? "A" : "B", NumberNotice.Kind.PERMIT_REQUEST, r % 3 != 0));
                } else {
                    int v = open.get(r % open.size());
                    String number = script.stream().filter(e -> e.verification() == v).findFirst().orElseThrow()
                            .number();
                    if (r < 62) {
                        script.add(new Event(p, v, number, NumberNotice.Kind.FAILED_CHECK, false));
                    } else if (r < 75) {
                        script.add(new Event(p, v, number, NumberNotice.Kind.RESEND_REQUEST, r % 3 != 0));
                    } else {
                        open.remove(Integer.valueOf(v));
                        script.add(new Event(p, v, number, NumberNotice.Kind.ENDED, false));
                    }
                }
            }
            out.add(script);
        }
        return out;
    }

    /**
     * A grant the guard gave a verification, whether it is still live (not ended, not superseded), and its latest
     * grant (the first send or a resend: the slot lives a full life from it).
     */
    private static final class Grant {
        final String permitId;
        final String requestId;
        Instant latest;
        boolean live = true;

        Grant(String permitId, String requestId, Instant at) {
            this.permitId = permitId;
            this.requestId = requestId;
            this.latest = at;
        }
    }

    @Test
    void limitsHoldUnderAnyInterleaving() {
        Property.forAll(SCENARIOS).tries(600).checkWithStatistics(GuardInterleavingPropertiesTest::limitsHold)
                .requireAtLeast("refusals", 0, 1).requireAtLeast("refusals", 3, 1)
                .requireAtLeast("resends", "GRANTED", 1).requireAtLeast("resends", "REFUSED", 1)
                .requireAtLeast("grants", "command issued", 1).requireAtLeast("grants", "no command", 1)
                .requireAtLeast("refused", "request carried a command", 1);
    }

    private static void limitsHold(Scenario sc, Statistics statistics) {
        LifecycleConfig config = LifecycleConfig.defaults().withAbuse(AbuseLimits.defaults(KEY)
                .withSends(sc.maxSends(), SEND_WINDOW).withFailedChecks(sc.maxFailed(), FAIL_WINDOW)
                .withActivePolicy(sc.policy()));
        NumberGuard guard = new NumberGuard(config);
        Duration longestLife = config.sendDeadline().plus(config.resultGrace()).plus(config.maxTtl())
                .plus(config.resultGrace());
        Map<String, NumberState> states = new HashMap<>();
        Map<String, List<Grant>> grants = new HashMap<>();
        Map<String, List<Instant>> sends = new HashMap<>();
        Map<String, List<Instant>> failedChecks = new HashMap<>();
        Map<String, Integer> resendsAsked = new HashMap<>();
        Map<String, Integer> answered = new LinkedHashMap<>();
        Set<String> issued = new HashSet<>();
        int[] cursor = new int[sc.partitions().size()];
        Instant now = Fixtures.T0;
        List<Slot> schedule = new ArrayList<>(sc.schedule());
        int total = sc.partitions().stream().mapToInt(List::size).sum();
        while (schedule.size() < total) {
            schedule.add(new Slot(0, 0, false)); // deliver whatever is left, in any order still
        }
        int refusals = 0;
        for (Slot slot : schedule) {
            now = now.plusMillis(slot.advanceMillis());
            if (slot.prune()) {
                for (String n : List.copyOf(states.keySet())) {
                    NumberState pruned = guard.prune(states.get(n), now);
                    if (pruned == null) {
                        states.remove(n);
                    } else {
                        states.put(n, pruned);
                    }
                }
            }
            Event e = nextEvent(sc.partitions(), cursor, slot.partition());
            if (e == null) {
                break;
            }
            String hash = e.number().repeat(64);
            String requestId = "p" + e.partition() + "-v" + e.verification();
            // Permit ids as the lifecycle makes them (the guard derives the command's id from them).
            String permitId = e.kind() == NumberNotice.Kind.RESEND_REQUEST
                    ? requestId + "/permit-resend-" + (resendsAsked.merge(requestId, 1, Integer::sum) + 1) + "/0"
                    : requestId + "/permit/0";
            GrantedCommand carried = e.carries() ? command(e, requestId, resendsAsked.getOrDefault(requestId, 0),
                    now) : null;
            NumberGuard.Step step = guard.apply(states.get(hash), new NumberNotice(e.kind(), hash, requestId,
                    permitId, now, carried), now);
            issuedAsCarried(step, permitId, carried, now, issued, statistics);
            if (step.state() == null) {
                states.remove(hash);
            } else {
                states.put(hash, step.state());
                assertThat(step.state().sends()).hasSizeLessThanOrEqualTo(sc.maxSends());
                assertThat(step.state().failedChecks()).hasSizeLessThanOrEqualTo(sc.maxFailed());
            }
            List<Grant> numberGrants = grants.computeIfAbsent(hash, k -> new ArrayList<>());
            List<Instant> numberSends = sends.computeIfAbsent(hash, k -> new ArrayList<>());
            List<Instant> fails = failedChecks.computeIfAbsent(hash, k -> new ArrayList<>());
            final Instant t = now;
            long inWindow = numberSends.stream().filter(g -> g.plus(SEND_WINDOW).isAfter(t)).count();
            switch (e.kind()) {
                case FAILED_CHECK -> {
                    fails.add(now);
                    assertThat(step.verdicts()).isEmpty();
                }
                case ENDED -> {
                    numberGrants.stream().filter(g -> g.permitId.equals(permitId)).forEach(g -> g.live = false);
                    assertThat(step.verdicts()).isEmpty();
                }
                case RESEND_REQUEST -> {
                    // Only the send limit applies: no failed-check refusal, no one-active refusal, no supersede.
                    PermitVerdict own = step.verdicts().get(0);
                    assertThat(step.verdicts()).hasSize(1);
                    assertThat(own.permitId()).isEqualTo(permitId);
                    answered.merge(permitId, 1, Integer::sum);
                    statistics.collect("resends", own.kind());
                    if (inWindow < sc.maxSends()) {
                        assertThat(own.kind()).as("a resend below the send limit is granted")
                                .isEqualTo(PermitVerdict.Kind.GRANTED);
                        numberSends.add(now);
                        numberGrants.stream().filter(g -> g.requestId.equals(requestId)).forEach(g -> g.latest = t);
                    } else {
                        assertThat(own.kind()).isEqualTo(PermitVerdict.Kind.REFUSED);
                        assertThat(Limit.ofDetail(own.limit())).isEqualTo(Limit.SENDS_PER_NUMBER);
                        // Retry when the oldest send in the window leaves it.
                        assertThat(own.retryAt()).isEqualTo(numberSends.stream()
                                .filter(g -> g.plus(SEND_WINDOW).isAfter(t)).min(Instant::compareTo).orElseThrow()
                                .plus(SEND_WINDOW));
                    }
                }
                case PERMIT_REQUEST -> {
                    PermitVerdict own = step.verdicts().get(step.verdicts().size() - 1);
                    assertThat(own.permitId()).isEqualTo(permitId);
                    answered.merge(permitId, 1, Integer::sum);
                    long failsInWindow = fails.stream().filter(f -> f.plus(FAIL_WINDOW).isAfter(t)).count();
                    List<Grant> live = numberGrants.stream()
                            .filter(g -> g.live && g.latest.plus(longestLife).isAfter(t)).toList();
                    if (own.kind() == PermitVerdict.Kind.GRANTED) {
                        // The limits, counted independently of the guard's own bookkeeping.
                        assertThat(inWindow).as("sends in the window").isLessThan(sc.maxSends());
                        assertThat(failsInWindow).as("failed checks in the window").isLessThan(sc.maxFailed());
                        if (sc.policy() == ActivePolicy.REFUSE) {
                            assertThat(live).as("one active verification").isEmpty();
                        }
                        if (sc.policy() == ActivePolicy.SUPERSEDE) {
                            assertThat(step.verdicts().subList(0, step.verdicts().size() - 1))
                                    .extracting(PermitVerdict::permitId)
                                    .containsExactlyInAnyOrderElementsOf(live.stream().map(g -> g.permitId).toList());
                            live.forEach(g -> g.live = false);
                        } else {
                            assertThat(step.verdicts()).hasSize(1);
                        }
                        numberGrants.add(new Grant(permitId, requestId, now));
                        numberSends.add(now);
                    } else {
                        refusals++;
                        assertThat(own.kind()).isEqualTo(PermitVerdict.Kind.REFUSED);
                        assertThat(step.verdicts()).hasSize(1);
                        // Refused only when a limit really is reached (no over-blocking).
                        Limit limit = Limit.ofDetail(own.limit());
                        switch (limit) {
                            case SENDS_PER_NUMBER -> assertThat(inWindow).isEqualTo(sc.maxSends());
                            case FAILED_CHECKS_PER_NUMBER -> assertThat(failsInWindow)
                                    .isGreaterThanOrEqualTo(sc.maxFailed());
                            case ONE_ACTIVE_PER_NUMBER -> {
                                assertThat(sc.policy()).isEqualTo(ActivePolicy.REFUSE);
                                assertThat(live).isNotEmpty();
                            }
                        }
                    }
                }
            }
        }
        assertThat(answered.values()).allMatch(n -> n == 1);
        statistics.collect("refusals", Math.min(refusals, 3));
    }

    private static final NumberKeys KEYS = new NumberKeys(KEY);

    /** The number of each script number (A, B) in E.164. */
    private static String phone(String number) {
        return number.equals("A") ? "+351910000001" : "+351910000002";
    }

    /** The command a request carries, as the lifecycle writes it: a send, or the resend of the n-th code. */
    private static GrantedCommand command(Event e, String requestId, int resend, Instant now) {
        String sealed = KEYS.seal(requestId, phone(e.number()));
        return new GrantedCommand("default", now.plusSeconds(25), sealed, "numeric", 6, 60, "Code {CODE}", null,
                e.kind() == NumberNotice.Kind.RESEND_REQUEST ? "egoi-" + requestId : null,
                e.kind() == NumberNotice.Kind.RESEND_REQUEST ? resend + 1 : 1);
    }

    /**
     * A grant issues exactly the command its request carried (none if it carried none), with the id the lifecycle
     * awaits ({@link CommandIds#granted}), the deadline it carried and the number unsealed; at most one per permit;
     * its verdict says so. Refusals and supersedes issue nothing and say so.
     */
    private static void issuedAsCarried(NumberGuard.Step step, String permitId, GrantedCommand carried, Instant now,
                                        Set<String> issued, Statistics statistics) {
        PermitVerdict own = step.verdicts().stream().filter(v -> v.permitId().equals(permitId)).findFirst()
                .orElse(null);
        for (PermitVerdict v : step.verdicts()) {
            if (v != own) {
                assertThat(v.commandIssued()).as("a supersede issues nothing").isFalse();
            }
        }
        boolean granted = own != null && own.kind() == PermitVerdict.Kind.GRANTED;
        if (own != null && !granted && carried != null) {
            statistics.collect("refused", "request carried a command");
        }
        if (granted) {
            statistics.collect("grants", carried != null ? "command issued" : "no command");
        }
        assertThat(step.commands()).as("commands of a " + (own == null ? "notice" : own.kind()))
                .hasSize(granted && carried != null ? 1 : 0);
        if (own != null) {
            assertThat(own.commandIssued()).as("the verdict says whether the guard issued").isEqualTo(
                    granted && carried != null);
        }
        for (VerificationCommand c : step.commands()) {
            assertThat(issued.add(permitId)).as("at most one command per permit").isTrue();
            assertThat(c.getCommandId()).isEqualTo(CommandIds.granted(permitId));
            assertThat(c.getRequestId()).isEqualTo(own.requestId());
            assertThat(c.getIssuedAt()).isEqualTo(now);
            assertThat(c.getDeadline()).as("the deadline the request carried").isEqualTo(carried.deadline());
            SendCode send = c.getAction() instanceof ResendCode r ? r.getNewSend() : (SendCode) c.getAction();
            assertThat(c.getAction() instanceof ResendCode).isEqualTo(carried.resend());
            assertThat(send.getPhoneNumber()).isEqualTo(KEYS.unseal(own.requestId(), carried.sealedNumber()));
        }
    }

    private static Event nextEvent(List<List<Event>> partitions, int[] cursor, int preferred) {
        for (int i = 0; i < partitions.size(); i++) {
            int p = (preferred + i) % partitions.size();
            if (cursor[p] < partitions.get(p).size()) {
                return partitions.get(p).get(cursor[p]++);
            }
        }
        return null;
    }
}
