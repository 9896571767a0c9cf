package io.egoiverify.app.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.app.deadletter.ReplaySelection.Verdict;
import io.egoiverify.schemas.topics.DeadLetterHeaders;
import io.egoiverify.schemas.topics.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class ReplaySelectionTest {
    private static final DeploymentTopics TOPICS = new DeploymentTopics(
            TopicNames.withPrefix("prod."),
            List.of("prod.lifecycle-number-permits", "prod.lifecycle-permit-verdicts"));
    private static final Instant T = Instant.parse("2026-05-01T10:00:00Z");

    static DeadLetter letter(int partition, long offset, Instant at, String origin, boolean truncated) {
        List<Header> h = new ArrayList<>();
        h.add(new RecordHeader("trace", bytes("t-1")));
        h.add(new RecordHeader(DeadLetterHeaders.EXCEPTION, bytes("SerializationException")));
        h.add(new RecordHeader(DeadLetterHeaders.TOPIC, bytes(origin)));
        if (truncated) {
            h.add(new RecordHeader(DeadLetterHeaders.TRUNCATED, bytes("cut")));
            h.add(new RecordHeader(DeadLetterHeaders.VALUE_SHA256, bytes("ab")));
        }
        return new DeadLetter(partition, offset, at, bytes("k"), bytes("v"), h, origin, 0, 7, "X", "m", truncated);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void onlyInputTopicsAreReplayedToAndInternalOnesAreRefusedWithTheReason() {
        assertThat(ReplaySelection.of(TOPICS, "requested", false, null, null, null).origin())
                .isEqualTo("prod.verification.requested");
        assertThat(ReplaySelection.of(TOPICS, "prod.verification.code-submitted", false, null, null, null).origin())
                .isEqualTo("prod.verification.code-submitted");
        assertThat(ReplaySelection.of(TOPICS, "cancel-requested", false, null, null, null).origin())
                .isEqualTo("prod.verification.cancel-requested");
        for (String internal : List.of("commands", "prod.verification.internal.results",
                "prod.lifecycle-number-permits")) {
            assertThatThrownBy(() -> ReplaySelection.of(TOPICS, internal, true, null, null, null))
                    .hasMessageContaining("refusing to replay").hasMessageContaining("DEADLINE_PASSED");
        }
        assertThatThrownBy(() -> ReplaySelection.of(TOPICS, "verified", true, null, null, null))
                .hasMessageContaining("an outcome topic");
        assertThatThrownBy(() -> ReplaySelection.of(TOPICS, "verification.requested", true, null, null, null))
                .hasMessageContaining("not an input topic of this deployment");
    }

    @Test
    void resendsOnlyWithTheirFlag() {
        assertThatThrownBy(() -> ReplaySelection.of(TOPICS, "resend-requested", false, null, null, null))
                .hasMessageContaining("--include-resends").hasMessageContaining("new resend");
        assertThat(ReplaySelection.of(TOPICS, "resend-requested", true, null, null, null).origin())
                .isEqualTo("prod.verification.resend-requested");
    }

    @Test
    void judgesOriginTimeOffsetsAndTruncation() {
        String requested = "prod.verification.requested";
        ReplaySelection all = ReplaySelection.of(TOPICS, "requested", false, null, null, null);
        assertThat(all.judge(letter(0, 1, T, requested, false))).isEqualTo(Verdict.REPLAY);
        assertThat(all.judge(letter(0, 2, T, requested, true))).isEqualTo(Verdict.TRUNCATED);
        assertThat(all.judge(letter(0, 3, T, "prod.verification.code-submitted", false)))
                .isEqualTo(Verdict.OTHER_ORIGIN);
        assertThat(all.judge(letter(0, 4, T, "test.verification.requested", false))).isEqualTo(Verdict.FOREIGN);

        ReplaySelection window = ReplaySelection.of(TOPICS, "requested", false, T, T.plusSeconds(60), null);
        assertThat(window.judge(letter(0, 1, T.minusMillis(1), requested, false))).isEqualTo(Verdict.NOT_SELECTED);
        assertThat(window.judge(letter(0, 1, T, requested, false))).isEqualTo(Verdict.REPLAY);
        assertThat(window.judge(letter(0, 1, T.plusSeconds(60), requested, false))).isEqualTo(Verdict.NOT_SELECTED);

        ReplaySelection listed = ReplaySelection.of(TOPICS, "requested", false, null, null,
                ReplaySelection.parsePositions("1:5, 0:9"));
        assertThat(listed.judge(letter(1, 5, T, requested, false))).isEqualTo(Verdict.REPLAY);
        assertThat(listed.judge(letter(1, 6, T, requested, false))).isEqualTo(Verdict.NOT_SELECTED);
        assertThat(listed.judge(letter(2, 5, T, requested, false))).isEqualTo(Verdict.NOT_SELECTED);
        assertThatThrownBy(() -> ReplaySelection.of(TOPICS, "requested", false, T, T, null))
                .hasMessageContaining("not before --until");
    }

    @Test
    void positionsParseAndBadOnesAreNamed() {
        assertThat(ReplaySelection.parsePositions("0:1,0:3,2:7")).isEqualTo(Map.of(0, Set.of(1L, 3L), 2, Set.of(7L)));
        for (String bad : List.of("0", "a:1", "0:-1", "0:1:2", "")) {
            assertThatThrownBy(() -> ReplaySelection.parsePositions(bad)).hasMessageContaining("partition:offset");
        }
    }

    @Test
    void listedPositionsNotReadAreNamedInOrder() {
        Map<Integer, Set<Long>> wanted = ReplaySelection.parsePositions("1:4,0:9,0:2");
        assertThat(ReplaySelection.missing(wanted, Map.of(0, Set.of(2L, 3L)))).containsExactly("0:9", "1:4");
        assertThat(ReplaySelection.missing(wanted, Map.of(0, Set.of(2L, 9L), 1, Set.of(4L)))).isEmpty();
    }

    @Test
    void replayKeepsTheOriginHeadersOnly() {
        DeadLetter d = letter(0, 1, T, "prod.verification.requested", true);
        assertThat(d.replayHeaders()).extracting(Header::key).containsExactly("trace");
    }

    @Test
    void pointsInTimeAreInstantsOrDurationsBeforeNow() {
        assertThat(PointInTime.parse("2026-05-01T10:00:00Z", T.plusSeconds(5))).isEqualTo(T);
        assertThat(PointInTime.parse("2h", T)).isEqualTo(T.minusSeconds(7200));
        assertThat(PointInTime.parse("30m", T)).isEqualTo(T.minusSeconds(1800));
        assertThatThrownBy(() -> PointInTime.parse("yesterday", T)).hasMessageContaining("neither an instant");
    }
}
