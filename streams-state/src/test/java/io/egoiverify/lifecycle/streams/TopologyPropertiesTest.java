package io.egoiverify.lifecycle.streams;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.test.TestRecord;

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

    @Provide
    Arbitrary<List<Action>> histories() {
        Arbitrary<Integer> id = Arbitraries.integers().between(0, IDS.size() - 1);
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                Tuple.of(3, id.map(Request::new)),
                Tuple.of(4, id.flatMap(i -> Arbitraries.integers().between(1, 4).map(s -> new Submit(i, s)))),
                Tuple.of(1, id.map(Cancel::new)),
                Tuple.of(5, Arbitraries.integers().between(0, 20).flatMap(
                        c -> Arbitraries.integers().between(0, 99).map(x -> new Answer(c, x)))),
                Tuple.of(3, Arbitraries.frequency(Tuple.of(3, 300L), Tuple.of(2, 20_000L), Tuple.of(1, 70_000L))
                        .map(Advance::new)));
        return action.list().ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 300)
    void topologyKeepsIndexAndContract(@ForAll("histories") List<Action> history) {
        run(history, LifecycleConfig.defaults());
    }

    /**
     * The same with per-number limits (all three requestIds share one number; at most two sends per window): the
     * guard's index mirrors its store, the send limit holds, and with a one-active policy at most one of the
     * number's verifications is open after any step.
     */
    @Property(tries = 150)
    void topologyWithPerNumberLimitsKeepsIndexAndContract(@ForAll("histories") List<Action> history,
                                                          @ForAll AbuseLimits.ActivePolicy policy) {
        run(history, LifecycleConfig.defaults().withAbuse(AbuseLimits.defaults(AbuseTopologyTest.KEY)
                .withSends(2, Duration.ofHours(1)).withActivePolicy(policy)));
    }

    private static void run(List<Action> history, LifecycleConfig config) {
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
        assertThat(actual).isEqualTo(expected);
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
        assertThat(actual).isEqualTo(expected);
    }
}
