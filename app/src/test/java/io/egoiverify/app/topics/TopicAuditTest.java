package io.egoiverify.app.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.egoiverify.app.topics.Finding.Severity;
import io.egoiverify.schemas.topics.TopicNames;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicAuditTest {
    private static final TopicNames NAMES = TopicNames.withPrefix("p.");
    private static final List<TopicSpec> SPECS = TopicSpec.of(NAMES);

    /** Every topic as {@code topics create} makes it with 3 replicas. */
    private static Map<String, TopicState> healthy() {
        Map<String, TopicState> all = new HashMap<>();
        for (TopicSpec s : SPECS) {
            NewTopic t = s.newTopic(6, Optional.of((short) 3));
            Map<String, String> configs = new HashMap<>(t.configs());
            configs.put(TopicState.MAX_MESSAGE_BYTES, "1048588");
            all.put(s.name(), new TopicState(s.name(), 6, 3, configs));
        }
        return all;
    }

    private static TopicState with(TopicState t, String key, String value) {
        Map<String, String> configs = new HashMap<>(t.configs());
        configs.put(key, value);
        return new TopicState(t.name(), t.partitions(), t.replicationFactor(), configs);
    }

    @Test
    void theTopicsAsCreateMakesThemHaveNothingToSay() {
        assertThat(SPECS).hasSize(14);
        assertThat(TopicAudit.check(SPECS, healthy())).isEmpty();
    }

    @Test
    void aMissingTopicIsAnError() {
        Map<String, TopicState> observed = healthy();
        observed.remove(NAMES.cancelRequested());
        assertThat(TopicAudit.check(SPECS, observed)).singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.ERROR))
                .satisfies(f -> assertThat(f.topic()).isEqualTo(NAMES.cancelRequested()))
                .satisfies(f -> assertThat(f.text()).contains("missing"));
    }

    @Test
    void coPartitionedTopicsWithAnotherCountAreAnErrorButOutcomesMayDiffer() {
        Map<String, TopicState> observed = healthy();
        TopicState results = observed.get(NAMES.results());
        observed.put(NAMES.results(), new TopicState(results.name(), 3, 3, results.configs()));
        TopicState sent = observed.get(NAMES.sent());
        observed.put(NAMES.sent(), new TopicState(sent.name(), 12, 3, sent.configs()));
        assertThat(TopicAudit.check(SPECS, observed)).singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.ERROR))
                .satisfies(f -> assertThat(f.text()).contains(NAMES.results() + "=3")
                        .contains(NAMES.requested() + "=6").doesNotContain(NAMES.sent()));
    }

    @Test
    void compactionIsAnErrorOnWhatTheLifecycleReadsAndAWarningOnOutcomes() {
        Map<String, TopicState> observed = healthy();
        observed.put(NAMES.commands(), with(observed.get(NAMES.commands()), TopicState.CLEANUP_POLICY, "compact"));
        observed.put(NAMES.verified(), with(observed.get(NAMES.verified()), TopicState.CLEANUP_POLICY,
                "compact,delete"));
        assertThat(TopicAudit.check(SPECS, observed)).extracting(Finding::severity, Finding::topic)
                .containsExactly(tuple(Severity.WARN, NAMES.verified()),
                        tuple(Severity.ERROR, NAMES.commands()));
    }

    @Test
    void minInSyncReplicasAboveTheReplicasIsAnErrorAndFewReplicasOneWarningForAll() {
        Map<String, TopicState> observed = new HashMap<>();
        healthy().forEach((name, t) -> observed.put(name, new TopicState(name, 6, 1,
                with(t, TopicState.MIN_ISR, "1").configs())));
        List<Finding> laptop = TopicAudit.check(SPECS, observed);
        assertThat(laptop).singleElement().satisfies(f -> assertThat(f.topic()).isEqualTo("all 14 topics"))
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.WARN));

        observed.put(NAMES.requested(), with(observed.get(NAMES.requested()), TopicState.MIN_ISR, "2"));
        assertThat(TopicAudit.check(SPECS, observed)).filteredOn(f -> f.severity() == Severity.ERROR)
                .singleElement().satisfies(f -> assertThat(f.text()).contains("NOT_ENOUGH_REPLICAS"));
    }

    @Test
    void retentionsThatKeepNumbersForEverOrLoseUnreadRecordsAreWarnedAbout() {
        Map<String, TopicState> observed = healthy();
        observed.put(NAMES.commands(), with(observed.get(NAMES.commands()), TopicState.RETENTION_MS, "-1"));
        observed.put(NAMES.deadLetter(), with(observed.get(NAMES.deadLetter()), TopicState.RETENTION_MS, "-1"));
        observed.put(NAMES.requested(), with(observed.get(NAMES.requested()), TopicState.RETENTION_MS, "60000"));
        observed.put(NAMES.sent(), with(observed.get(NAMES.sent()), TopicState.RETENTION_MS, "-1"));
        assertThat(TopicAudit.check(SPECS, observed)).allSatisfy(f -> assertThat(f.severity())
                        .isEqualTo(Severity.WARN))
                .extracting(Finding::topic, f -> f.text().substring(0, f.text().indexOf(':')))
                .containsExactly(tuple(NAMES.requested(), "retention 1m"),
                        tuple(NAMES.commands(), "retention unlimited"),
                        tuple(NAMES.deadLetter(), "retention unlimited"));

        observed = healthy();
        observed.put(NAMES.commands(), with(observed.get(NAMES.commands()), TopicState.RETENTION_MS, "604800000"));
        assertThat(TopicAudit.check(SPECS, observed)).singleElement()
                .satisfies(f -> assertThat(f.text()).startsWith("retention 7d: keeps phone numbers"));
    }

    @Test
    void aDeadLetterTopicSmallerThanTheInputsIsWarnedAbout() {
        Map<String, TopicState> observed = healthy();
        observed.put(NAMES.codeSubmitted(), with(observed.get(NAMES.codeSubmitted()), TopicState.MAX_MESSAGE_BYTES,
                "2097152"));
        assertThat(TopicAudit.check(SPECS, observed)).singleElement()
                .satisfies(f -> assertThat(f.topic()).isEqualTo(NAMES.deadLetter()))
                .satisfies(f -> assertThat(f.text()).contains("1048588 is below the inputs' 2097152"));
    }

    @Test
    void createsWithTheRolesRetentionAndTwoInSyncReplicasFromThree() {
        TopicSpec commands = SPECS.stream().filter(s -> s.role() == TopicRole.COMMANDS).findFirst().orElseThrow();
        assertThat(commands.newTopic(6, Optional.of((short) 3)).configs()).containsEntry("retention.ms", "3600000")
                .containsEntry("cleanup.policy", "delete").containsEntry("min.insync.replicas", "2");
        assertThat(commands.newTopic(6, Optional.of((short) 2)).configs()).containsEntry("min.insync.replicas", "1");
        assertThat(commands.newTopic(6, Optional.empty()).configs()).doesNotContainKey("min.insync.replicas");
        assertThat(Durations.text(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(Durations.text(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }
}
