package io.egoiverify.lifecycle.streams;

import static io.egoiverify.testing.property.Gen.weighted;
import static io.egoiverify.testing.property.Gen.weightedValue;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.CodeRejected;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.NumberState;
import io.egoiverify.lifecycle.VerificationState;
import io.egoiverify.testing.property.Gen;
import io.egoiverify.testing.property.Property;
import io.egoiverify.testing.property.Statistics;
import java.time.Duration;
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

    static final Gen<Integer> ID = Gen.ints(0, IDS.size() - 1);
    static final Gen<Action> ADVANCE = Gen.frequency(weightedValue(3, 300L), weightedValue(2, 20_000L),
            weightedValue(1, 70_000L)).map(Advance::new);

    /** Every kind of input with its weight: a new kind of input is one more case here and one more branch in run. */
    static final List<Gen.Weighted<Action>> INPUTS = List.of(
            weighted(3, ID.map(Request::new)),
            weighted(4, choices -> new Submit(ID.generate(choices), Gen.ints(1, 4).generate(choices))),
            weighted(1, ID.map(Cancel::new)),
            weighted(5, choices -> new Answer(Gen.ints(0, 20).generate(choices), Gen.ints(0, 99).generate(choices))),
            weighted(3, ADVANCE));

    static final Gen<List<Action>> HISTORIES = Gen.frequency(INPUTS).list(1, 30);

    /** A history and the one-active policy it runs under. */
    record Guarded(List<Action> history, AbuseLimits.ActivePolicy policy) {
    }

    @Test
    void topologyKeepsIndexAndContract() {
        Property.forAll(HISTORIES).tries(300).checkWithStatistics((history, statistics) -> run(history,
                LifecycleConfig.defaults(), statistics)).requireAtLeast("verifications sent", 3, 1);
    }

    /**
     * The same with per-number limits (all three requestIds share one number; at most two sends per window): the
     * guard's index mirrors its store, the send limit holds, and with a one-active policy at most one of the
     * number's verifications is open after any step.
     */
    @Test
    void topologyWithPerNumberLimitsKeepsIndexAndContract() {
        Gen<Guarded> guarded = choices -> new Guarded(HISTORIES.generate(choices),
                Gen.of(AbuseLimits.ActivePolicy.class).generate(choices));
        Property.forAll(guarded).tries(150).checkWithStatistics((g, statistics) -> run(g.history(),
                LifecycleConfig.defaults().withAbuse(AbuseLimits.defaults(AbuseTopologyTest.KEY)
                        .withSends(2, Duration.ofHours(1)).withActivePolicy(g.policy())), statistics))
                .requireAtLeast("verifications sent", 2, 1);
    }

    private static void run(List<Action> history, LifecycleConfig config, Statistics statistics) {
        List<VerificationCommand> issued = new ArrayList<>();
        Map<String, Integer> terminals = new HashMap<>();
        Map<String, Integer> sends = new HashMap<>();
        Set<String> checked = new HashSet<>();
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
                }
                collect(f, issued, terminals, sends, checked);
                assertIndexMirrorsStates(f);
                if (guarded) {
                    assertGuardIndexMirrorsStore(f, config);
                    assertThat(sends.size()).as("sends to the number within the window")
                            .isLessThanOrEqualTo(config.abuse().maxSendsPerWindow());
                    if (config.abuse().activePolicy() != AbuseLimits.ActivePolicy.OFF) {
                        assertThat(sends.keySet().stream().filter(id -> !terminals.containsKey(id)))
                                .as("one open verification per number").hasSizeLessThanOrEqualTo(1);
                    }
                }
            }
            f.advance(Duration.ofHours(1));
            collect(f, issued, terminals, sends, checked);
            assertIndexMirrorsStates(f);
            if (guarded) {
                assertGuardIndexMirrorsStore(f, config);
            }
        }
        statistics.collect("verifications sent", sends.size());
        assertThat(sends.values()).as("at most one SMS per requestId").allMatch(n -> n == 1);
        for (String id : sends.keySet()) {
            assertThat(terminals.get(id)).as("an admitted verification ends exactly once").isEqualTo(1);
        }
    }

    private static CommandStatus status(VerificationCommand c, int choice) {
        if (c.getAction() instanceof SendCode) {
            return choice < 80 ? CommandStatus.SENT : CommandStatus.UNAVAILABLE;
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
            } else {
                assertThat(checked.add(((CheckCode) c.getAction()).getSubmissionId())).as("checked once").isTrue();
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
        f.sent.readRecordsToList().forEach(r -> assertThat(r.getRecordTime()).isEqualTo(r.value().getOccurredAt()));
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
                assertThat(kv.value.wakeAt(config.abuse())).isAfter(f.now());
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

    private static void assertIndexMirrorsStates(TopologyFixture f) {
        Set<Bytes> expected = new HashSet<>();
        try (KeyValueIterator<String, VerificationState> it = f.verifications().all()) {
            while (it.hasNext()) {
                KeyValue<String, VerificationState> kv = it.next();
                assertThat(kv.value.wakeAt()).isAfter(f.now());
                expected.add(DeadlineKeys.key(kv.value.wakeAt(), kv.key));
            }
        }
        Set<Bytes> actual = new HashSet<>();
        f.deadlineEntries().forEach(kv -> actual.add(kv.key));
        assertThat(actual).as("the deadline index: one entry per verification, at its wakeAt").isEqualTo(expected);
    }
}
