package io.egoiverify.lifecycle.streams;

import static io.egoiverify.testing.property.Gen.weighted;
import static io.egoiverify.testing.property.Gen.weightedValue;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.ResendRejectReason;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.internal.CancelVerification;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.NumberState;
import io.egoiverify.lifecycle.ResendPolicy;
import io.egoiverify.lifecycle.VerificationState;
import io.egoiverify.testing.property.Gen;
import io.egoiverify.testing.property.Property;
import io.egoiverify.testing.property.Statistics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Random interleavings over three requestIds through the real topology (wall clock moved by the driver): the
 * deadline index always mirrors the states exactly (so the punctuator's range scan sees every deadline and nothing
 * stale), record timestamps equal occurredAt, and the per-verification invariants hold on the output topics.
 */
class TopologyPropertiesTest {
    private static final List<String> IDS = List.of("a", "b", "c");

    sealed interface Action {
    }

    record Request(int id) implements Action {
    }

    record Submit(int id, int submission) implements Action {
    }

    record Cancel(int id) implements Action {
    }

    record Answer(int command, int choice) implements Action {
    }

    record Advance(long millis) implements Action {
    }

    record Resend(int id) implements Action {
    }

    static final Gen<Integer> ID = Gen.ints(0, IDS.size() - 1);
    static final Gen<Action> ADVANCE = Gen.frequency(weightedValue(3, 300L), weightedValue(2, 20_000L),
            weightedValue(1, 70_000L)).map(Advance::new);

    /** Every kind of input with its weight: a new kind of input is one more case here and one more branch in run. */
    static final List<Gen.Weighted<Action>> INPUTS = List.of(
            weighted(3, ID.map(Request::new)),
            weighted(4, choices -> new Submit(ID.generate(choices), Gen.ints(1, 4).generate(choices))),
            weighted(1, ID.map(Cancel::new)),
            weighted(5, choices -> new Answer(Gen.ints(0, 20).generate(choices), Gen.ints(0, 99).generate(choices))),
            weighted(3, ADVANCE),
            weighted(3, ID.map(Resend::new)));

    static final Gen<List<Action>> HISTORIES = Gen.frequency(INPUTS).list(1, 30);
    /** A short resend cooldown: the clock moves by 0.3 to 70 s a step, and a resend should often be accepted. */
    static final LifecycleConfig QUICK_RESENDS = LifecycleConfig.defaults()
            .withResend(new ResendPolicy(Duration.ofSeconds(5), 3));

    /** A history, the one-active policy it runs under, and whether the guard issues the granted commands. */
    record Guarded(List<Action> history, AbuseLimits.ActivePolicy policy, boolean guardIssues) {
    }

    @Test
    void topologyKeepsIndexAndContract() {
        Property.forAll(HISTORIES).tries(300).checkWithStatistics((history, statistics) -> run(history,
                QUICK_RESENDS, statistics)).requireAtLeast("verifications sent", 3, 1);
    }

    /**
     * Resends through the topology: all three verifications sent, 20 s later the random rest (resends among it), so
     * that resends are accepted, answered, refused and raced often; the index mirrors the states (RESENDING's held
     * expiry and the new code's expiry included), codes are numbered in order, a resend after the end is NOT_ACTIVE.
     */
    @Test
    void topologyWithResendsKeepsIndexAndContract() {
        Gen<List<Action>> sentFirst = HISTORIES.map(rest -> {
            List<Action> history = new ArrayList<>(SENT_PREFIX);
            history.addAll(rest);
            return history;
        });
        Property.forAll(sentFirst).tries(200).checkWithStatistics((history, statistics) -> run(history,
                QUICK_RESENDS, statistics))
                .requireAtLeast("resend commands", 1, 1).requireAtLeast("resend commands", 2, 1)
                .requireAtLeast("most codes sent to one verification", 2, 1);
    }

    /** Three requests, each send answered SENT, then 20 s. */
    static final List<Action> SENT_PREFIX = List.of(new Request(0), new Request(1), new Request(2),
            new Answer(0, 0), new Answer(1, 0), new Answer(2, 0), new Advance(20_000));

    /**
     * The same with per-number limits (all three requestIds share one number; at most two sends per window), the
     * guard issuing the granted sends and resends or the lifecycle issuing them: the guard's index mirrors its store,
     * the send limit holds, and with a one-active policy at most one of the number's verifications is open after any
     * step.
     */
    @Test
    void topologyWithPerNumberLimitsKeepsIndexAndContract() {
        Gen<Guarded> guarded = choices -> new Guarded(HISTORIES.generate(choices),
                Gen.of(AbuseLimits.ActivePolicy.class).generate(choices), Gen.booleans().generate(choices));
        Property.forAll(guarded).tries(150).checkWithStatistics((g, statistics) -> run(g.history(),
                QUICK_RESENDS.withAbuse(AbuseLimits.defaults(AbuseTopologyTest.KEY)
                        .withSends(2, Duration.ofHours(1)).withActivePolicy(g.policy()))
                        .withGuardIssuesCommands(g.guardIssues()), statistics))
                .requireAtLeast("verifications sent", 2, 1);
    }

    private static void run(List<Action> history, LifecycleConfig config, Statistics statistics) {
        List<VerificationCommand> issued = new ArrayList<>();
        Map<String, Integer> terminals = new HashMap<>();
        Map<String, Integer> sends = new HashMap<>();
        Set<String> checked = new HashSet<>();
        Map<String, Integer> codes = new HashMap<>();
        boolean guarded = config.abuse().enabled();
        try (TopologyFixture f = new TopologyFixture(config, false)) {
            for (Action a : history) {
                if (a instanceof Request r) {
                    f.request(IDS.get(r.id()));
                } else if (a instanceof Submit s) {
                    f.submit(IDS.get(s.id()), IDS.get(s.id()) + "-s" + s.submission(), "123456");
                } else if (a instanceof Cancel c) {
                    f.cancel(IDS.get(c.id()));
                } else if (a instanceof Answer ans && !issued.isEmpty()) {
                    VerificationCommand c = issued.get(Math.min(ans.command(), issued.size() - 1));
                    f.result(c, status(c, ans.choice()));
                } else if (a instanceof Advance adv) {
                    f.advance(Duration.ofMillis(adv.millis()));
                } else if (a instanceof Resend r) {
                    f.resend(IDS.get(r.id()));
                }
                collect(f, issued, terminals, sends, checked);
                collectResends(f, terminals, codes, config);
                assertIndexMirrorsStates(f, config);
                if (guarded) {
                    assertGuardIndexMirrorsStore(f, config);
                    // The history lasts less than the window: every SMS command counts (sends and resends).
                    assertThat(issued.stream().filter(c -> c.getAction() instanceof SendCode
                            || c.getAction() instanceof ResendCode)).as("sends and resends to the number")
                            .hasSizeLessThanOrEqualTo(config.abuse().maxSendsPerWindow());
                    if (config.abuse().activePolicy() != AbuseLimits.ActivePolicy.OFF) {
                        assertThat(sends.keySet().stream().filter(id -> !terminals.containsKey(id)))
                                .as("one open verification per number").hasSizeLessThanOrEqualTo(1);
                    }
                }
            }
            f.advance(Duration.ofHours(1));
            collect(f, issued, terminals, sends, checked);
            collectResends(f, terminals, codes, config);
            assertIndexMirrorsStates(f, config);
            if (guarded) {
                assertGuardIndexMirrorsStore(f, config);
            }
        }
        statistics.collect("verifications sent", sends.size());
        statistics.collect("most codes sent to one verification", codes.entrySet().stream()
                .filter(e -> !e.getKey().startsWith(FAILED_RESENDS)).mapToInt(Map.Entry::getValue).max()
                .orElse(0));
        statistics.collect("resend commands", Math.min(2, issued.stream()
                .filter(c -> c.getAction() instanceof ResendCode).count()));
        assertThat(sends.values()).as("at most one SMS per requestId").allMatch(n -> n == 1);
        for (String id : sends.keySet()) {
            assertThat(terminals.get(id)).as("an admitted verification ends exactly once").isEqualTo(1);
        }
    }

    private static CommandStatus status(VerificationCommand c, int choice) {
        if (c.getAction() instanceof SendCode) {
            return choice < 80 ? CommandStatus.SENT : CommandStatus.UNAVAILABLE;
        }
        if (c.getAction() instanceof ResendCode) {
            return choice < 70 ? CommandStatus.SENT : choice < 85 ? CommandStatus.UNAVAILABLE : CommandStatus.REJECTED;
        }
        if (c.getAction() instanceof CancelVerification) {
            return CommandStatus.CANCELLED;
        }
        return choice < 50 ? CommandStatus.WRONG_CODE : choice < 75 ? CommandStatus.VERIFIED
                : choice < 90 ? CommandStatus.UNAVAILABLE : CommandStatus.CODE_EXPIRED;
    }

    private static void collect(TopologyFixture f, List<VerificationCommand> issued, Map<String, Integer> terminals,
                                Map<String, Integer> sends, Set<String> checked) {
        for (VerificationCommand c : f.commands.readValuesToList()) {
            assertThat(terminals).as("no command after a terminal outcome").doesNotContainKey(c.getRequestId());
            if (c.getAction() instanceof SendCode) {
                sends.merge(c.getRequestId(), 1, Integer::sum);
            } else if (c.getAction() instanceof CheckCode check) {
                assertThat(checked.add(check.getSubmissionId())).as("checked once").isTrue();
            }
            issued.add(c);
        }
        for (var topic : List.of(f.verified, f.expired, f.cancelled, f.failed)) {
            for (TestRecord<String, ?> r : topic.readRecordsToList()) {
                terminals.merge(r.key(), 1, Integer::sum);
                assertThat(terminals.get(r.key())).as("one terminal outcome").isEqualTo(1);
                var v = (org.apache.avro.specific.SpecificRecord) r.value();
                assertThat(r.getRecordTime()).isEqualTo(v.get(v.getSchema().getField("occurredAt").pos()));
            }
        }
        for (TestRecord<String, CodeRejected> r : f.rejected.readRecordsToList()) {
            assertThat(r.getRecordTime()).isEqualTo(r.value().getOccurredAt());
        }
    }

    /**
     * Codes are numbered 1, 2, … per verification, at most maxSends, a number skipped only for a resend answered
     * FAILED (whose code may have gone out: it uses up its number); after a terminal outcome a resend is only ever
     * answered NOT_ACTIVE; record timestamps equal occurredAt. (Commands were collected before: the terminal outcomes
     * of this step are in {@code terminals} already, and a step never both ends a verification and refuses a resend
     * for another reason.)
     */
    /** In the {@code codes} map: the resends of a verification answered FAILED since its latest code. */
    private static final String FAILED_RESENDS = "failed resends of ";

    private static void collectResends(TopologyFixture f, Map<String, Integer> terminals, Map<String, Integer> codes,
                                       LifecycleConfig config) {
        for (TestRecord<String, VerificationSent> r : f.sent.readRecordsToList()) {
            assertThat(r.getRecordTime()).isEqualTo(r.value().getOccurredAt());
            int previous = codes.getOrDefault(r.key(), 0);
            int failedSince = codes.getOrDefault(FAILED_RESENDS + r.key(), 0);
            assertThat(r.value().getSendCount()).as("codes of " + r.key() + " numbered in order")
                    .isBetween(previous + 1, previous + 1 + failedSince)
                    .isLessThanOrEqualTo(config.resend().maxSends());
            codes.put(r.key(), r.value().getSendCount());
            codes.remove(FAILED_RESENDS + r.key());
        }
        for (TestRecord<String, ResendRejected> r : f.resendRejected.readRecordsToList()) {
            assertThat(r.getRecordTime()).isEqualTo(r.value().getOccurredAt());
            if (r.value().getReason() == ResendRejectReason.FAILED) {
                codes.merge(FAILED_RESENDS + r.key(), 1, Integer::sum);
            }
            if (terminals.containsKey(r.key()) && r.value().getReason() != ResendRejectReason.NOT_ACTIVE) {
                // Only a resend answered in the very step that ended the verification may be something else.
                assertThat(r.value().getReason()).as("after the end of " + r.key())
                        .isIn(ResendRejectReason.FAILED, ResendRejectReason.RATE_LIMITED);
            }
        }
    }

    private static void assertGuardIndexMirrorsStore(TopologyFixture f, LifecycleConfig config) {
        Set<Bytes> expected = new HashSet<>();
        org.apache.kafka.streams.state.KeyValueStore<String, NumberState> numbers =
                f.driver.getKeyValueStore(LifecycleTopology.NUMBERS_STORE);
        try (KeyValueIterator<String, NumberState> it = numbers.all()) {
            while (it.hasNext()) {
                KeyValue<String, NumberState> kv = it.next();
                assertThat(kv.key).hasSize(64);
                assertThat(kv.value.isEmpty()).isFalse();
                assertThat(kv.value.wakeAt(config.abuse())).isAfter(lastWake(f, config));
                expected.add(DeadlineKeys.key(kv.value.wakeAt(config.abuse()), kv.key));
            }
        }
        Set<Bytes> actual = new HashSet<>();
        org.apache.kafka.streams.state.KeyValueStore<Bytes, byte[]> index =
                f.driver.getKeyValueStore(LifecycleTopology.NUMBER_DEADLINES_STORE);
        try (KeyValueIterator<Bytes, byte[]> it = index.all()) {
            it.forEachRemaining(kv -> actual.add(kv.key));
        }
        assertThat(actual).as("the guard's deadline index: one entry per number, at its wakeAt").isEqualTo(expected);
    }

    /**
     * The last instant the processors were due to wake (the grid point of the punctuation interval at or before now):
     * everything filed at or before it has been handled, what is due after it waits for the next grid point.
     */
    private static Instant lastWake(TopologyFixture f, LifecycleConfig config) {
        long step = config.punctuationInterval().toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(f.now().toEpochMilli(), step) * step);
    }

    private static void assertIndexMirrorsStates(TopologyFixture f, LifecycleConfig config) {
        Set<Bytes> expected = new HashSet<>();
        try (KeyValueIterator<String, VerificationState> it = f.verifications().all()) {
            while (it.hasNext()) {
                KeyValue<String, VerificationState> kv = it.next();
                assertThat(kv.value.wakeAt()).isAfter(lastWake(f, config));
                expected.add(DeadlineKeys.key(kv.value.wakeAt(), kv.key));
            }
        }
        Set<Bytes> actual = new HashSet<>();
        f.deadlineEntries().forEach(kv -> actual.add(kv.key));
        assertThat(actual).as("the deadline index: one entry per verification, at its wakeAt").isEqualTo(expected);
    }
}
