package io.egoiverify.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailoverTimelineTest {
    private static final Instant KILL = Instant.parse("2026-12-02T15:37:32.350Z");

    @Test
    void readsTheAbortAndTheSurvivorsStepsAfterTheKill(@TempDir Path logs) throws IOException {
        Files.writeString(logs.resolve("broker.log"), String.join("\n",
                "=== egoi-stack start 2026-12-02T15:34:54Z broker",
                "15:37:20.000 INFO  [t] k.c.t.TransactionCoordinator - Completed rollback of ongoing transaction for "
                        + "transactionalId early-1 due to timeout",
                "15:37:39.196 INFO  [t] k.c.t.TransactionCoordinator - Completed rollback of ongoing transaction for "
                        + "transactionalId egoi-verify-lifecycle-d8d0-1 due to timeout",
                ""));
        Files.writeString(logs.resolve("lifecycle-2.log"), String.join("\n",
                "15:37:30.000 INFO  [s] ConsumerCoordinator - Request joining group due to: before the kill",
                "15:37:38.381 INFO  [s] ConsumerCoordinator - Request joining group due to: group is already rebalancing",
                "\tAssigned partitions: [a-0]",
                "15:37:38.606 INFO  [s] ConsumerCoordinator - Successfully synced group in generation 3",
                "15:37:39.446 INFO  [s] StreamThread - State transition from PARTITIONS_ASSIGNED to RUNNING",
                "15:37:39.447 INFO  [s] KafkaStreams - State transition from REBALANCING to RUNNING",
                "15:37:50.000 INFO  [s] ConsumerCoordinator - Request joining group due to: a later rebalance",
                ""));
        Files.writeString(logs.resolve("lifecycle-1.log"),
                "15:37:33.000 INFO  [s] ConsumerCoordinator - Request joining group due to: the victim's own\n");
        Files.writeString(logs.resolve("worker-1.log"),
                "15:37:34.000 INFO  [w] ConsumerCoordinator - Request joining group due to: another role\n");

        List<FailoverTimeline.Event> events = FailoverTimeline.read(logs, "lifecycle-1", KILL, ZoneOffset.UTC);

        assertThat(events).containsExactly(
                new FailoverTimeline.Event(6_031, "lifecycle-2", "rejoins the group"),
                new FailoverTimeline.Event(6_256, "lifecycle-2", "has its new assignment"),
                new FailoverTimeline.Event(6_846, "broker", "aborted the open transaction of egoi-verify-lifecycle-d8d0-1"),
                new FailoverTimeline.Event(7_097, "lifecycle-2", "is running again, the tasks it took over restored"));
    }

    @Test
    void findsNothingWithoutTheLinesAndAcrossMidnight(@TempDir Path logs) throws IOException {
        assertThat(FailoverTimeline.read(logs, "worker-1", KILL, ZoneOffset.UTC)).isEmpty();

        Files.writeString(logs.resolve("worker-2.log"),
                "00:00:04.000 INFO  [w] ConsumerCoordinator - Request joining group due to: a member left\n");
        Instant beforeMidnight = Instant.parse("2026-12-02T23:59:58.000Z");
        assertThat(FailoverTimeline.read(logs, "worker-1", beforeMidnight, ZoneOffset.UTC))
                .containsExactly(new FailoverTimeline.Event(6_000, "worker-2", "rejoins the group"));
    }
}
