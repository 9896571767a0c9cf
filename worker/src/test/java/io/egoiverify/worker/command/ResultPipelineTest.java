package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.schemas.registry.InMemorySchemaRegistry;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.DeadLetterLimit;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Results of a partition lost in a rebalance: kept while it is away, committed only if it comes back unchanged. */
@Timeout(10)
class ResultPipelineTest {
    private final Topics topics = new Topics(TopicNames.withPrefix("t."), new InMemorySchemaRegistry(),
            new AvroSerdeConfig("mock://result-pipeline", null, true, false));
    private final TopicPartition commands = new TopicPartition(topics.names.commands(), 0);
    /** What the group has committed, as another member would change it. */
    private final Map<TopicPartition, OffsetAndMetadata> groupCommitted = new HashMap<>();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final OwnedPartitions owned = new OwnedPartitions(consumer, WorkerConfig.Flow.defaults(), partitions -> {
        Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>(groupCommitted);
        m.keySet().retainAll(partitions);
        return m;
    });
    private final MockProducer<byte[], byte[]> producer = ResultTransactionTest.mock();
    private final ResultPipeline pipeline = new ResultPipeline(topics, owned,
            ResultTransactionTest.started(new ResultTransactionTest.FakeKafka(List.of(producer))), new RegistryBackoff(),
            WorkerMetrics.NONE, () -> ResultTransactionTest.GROUP, DeadLetterLimit.PRODUCER_DEFAULT);

    ResultPipelineTest() {
        consumer.assign(List.of(commands));
        consumer.updateBeginningOffsets(Map.of(commands, 0L));
    }

    @Test
    void resultsOfALostPartitionAreDroppedWhenItComesBackCommittedByAnotherMember() {
        PartitionProgress before = takeAndAnswerOffsetZeroUncommitted();

        pipeline.lost(List.of(commands)); // session expired: the open transaction is aborted, its result parked
        assertThat(before.held()).as("lost: its commands start no call until the rebalance says").isTrue();
        groupCommitted.put(commands, new OffsetAndMetadata(1)); // another member answered offset 0 and committed it
        pipeline.assigned(List.of(commands), Set.of(commands));
        PartitionProgress after = owned.get(commands);
        assertThat(after).isNotSameAs(before);
        assertThat(before.givenUp()).as("its waiting commands end").isTrue();
        assertThat(after.held()).isFalse();

        pipeline.commitNow();
        assertThat(producer.history()).as("offset 0 was answered by the other member").isEmpty();

        // what the new progress takes is answered as usual
        after.started(1);
        after.passed(1);
        answer(after, 1, "r2");
        pipeline.drain(0);
        pipeline.commitNow();
        assertThat(ResultTransactionTest.keys(producer.history())).containsExactly("r2");
        assertThat(producer.consumerGroupOffsetsHistory()).containsExactly(
                Map.of(ResultTransactionTest.GROUP.groupId(), Map.of(commands, new OffsetAndMetadata(2))));
    }

    @Test
    void resultsOfALostPartitionAreCommittedWhenItComesBackUnchanged() {
        PartitionProgress before = takeAndAnswerOffsetZeroUncommitted();

        pipeline.lost(List.of(commands));
        assertThat(before.held()).isTrue();
        pipeline.assigned(List.of(commands), Set.of(commands)); // nobody committed it meanwhile
        assertThat(owned.get(commands)).isSameAs(before);
        assertThat(before.held()).as("back unchanged: its commands go on").isFalse();
        assertThat(before.givenUp()).isFalse();

        pipeline.commitNow();
        assertThat(ResultTransactionTest.keys(producer.history())).containsExactly("r1");
        assertThat(producer.consumerGroupOffsetsHistory()).containsExactly(
                Map.of(ResultTransactionTest.GROUP.groupId(), Map.of(commands, new OffsetAndMetadata(1))));
    }

    /**
     * A broker-run group (KIP-848) answers the member that rejoins after a loss with an empty assignment first and
     * hands its partitions back a heartbeat later: the lost partition is held through the empty one.
     */
    @Test
    void aLostPartitionHandedBackAfterAnEmptyAssignmentKeepsItsResults() {
        PartitionProgress before = takeAndAnswerOffsetZeroUncommitted();

        pipeline.lost(List.of(commands));
        pipeline.assigned(List.of(), Set.of()); // the rejoined member's first assignment
        assertThat(before.givenUp()).as("held, not given up").isFalse();
        assertThat(before.held()).isTrue();
        pipeline.releaseExpiredHolds(System.nanoTime());
        assertThat(before.givenUp()).isFalse();
        pipeline.assigned(List.of(commands), Set.of(commands)); // a heartbeat later
        assertThat(owned.get(commands)).isSameAs(before);
        assertThat(before.held()).isFalse();

        pipeline.commitNow();
        assertThat(ResultTransactionTest.keys(producer.history())).containsExactly("r1");
        assertThat(producer.consumerGroupOffsetsHistory()).containsExactly(
                Map.of(ResultTransactionTest.GROUP.groupId(), Map.of(commands, new OffsetAndMetadata(1))));
    }

    /** Not handed back within the hold: given up, its results dropped, its in-flight slots released. */
    @Test
    void aLostPartitionNotHandedBackWithinTheHoldIsGivenUp() {
        PartitionProgress before = takeAndAnswerOffsetZeroUncommitted();

        pipeline.lost(List.of(commands));
        pipeline.assigned(List.of(), Set.of());
        answer(before, 1, "r2"); // a call in flight at the loss ends while the partition is away: parked
        pipeline.drain(0);
        assertThat(owned.inFlight()).isEqualTo(1);
        pipeline.releaseExpiredHolds(System.nanoTime() + ResultPipeline.LOST_HOLD.toNanos() + 1);
        assertThat(before.givenUp()).isTrue();
        assertThat(owned.inFlight()).as("its parked result dropped").isZero();

        groupCommitted.put(commands, new OffsetAndMetadata(2)); // another member answered both meanwhile
        pipeline.assigned(List.of(commands), Set.of(commands));
        assertThat(owned.get(commands)).isNotSameAs(before);
        pipeline.commitNow();
        assertThat(producer.history()).as("nothing of the lost progress committed").isEmpty();
    }

    /**
     * Revoked and not assigned back: its progress is given up, which tells its commands still waiting (for the breaker
     * or a retry) to end without calling E-goi; what they answer is dropped and releases its in-flight slot.
     */
    @Test
    void aPartitionHandedOverIsGivenUpAndItsCommandsEndWithoutAResult() {
        pipeline.assigned(List.of(commands), Set.of(commands));
        PartitionProgress progress = owned.get(commands);
        progress.started(0);
        progress.passed(0);

        pipeline.revoked(List.of(commands), 0); // the revoke grace ran out with offset 0 still waiting
        assertThat(progress.givenUp()).as("suspended: it may still come back").isFalse();
        assertThat(progress.held()).as("suspended: no call starts meanwhile").isTrue();
        pipeline.assigned(List.of(), Set.of()); // the rebalance ends without it: another instance takes it
        assertThat(progress.givenUp()).isTrue();
        assertThat(progress.held()).as("given up: its held commands wake and end").isFalse();
        assertThat(owned.inFlight()).isEqualTo(1);

        answer(progress, 0, "r1"); // the given-up command ends (without a call)
        pipeline.drain(0);
        pipeline.commitNow();
        assertThat(producer.history()).as("nothing produced for it").isEmpty();
        assertThat(owned.inFlight()).as("its in-flight slot released").isZero();
    }

    @Test
    void aPartitionThatComesBackUnchangedIsNotGivenUp() {
        pipeline.assigned(List.of(commands), Set.of(commands));
        PartitionProgress before = owned.get(commands);
        before.started(0);
        before.passed(0);
        pipeline.revoked(List.of(commands), 0);
        assertThat(before.held()).isTrue();
        pipeline.assigned(List.of(commands), Set.of(commands)); // nobody committed it meanwhile
        assertThat(owned.get(commands)).isSameAs(before);
        assertThat(before.givenUp()).isFalse();
        assertThat(before.held()).isFalse();
    }

    /** Takes the partition, starts offsets 0 and 1 and puts offset 0's result into the open transaction. */
    private PartitionProgress takeAndAnswerOffsetZeroUncommitted() {
        pipeline.assigned(List.of(commands), Set.of(commands));
        PartitionProgress progress = owned.get(commands);
        progress.started(0);
        progress.passed(0);
        progress.started(1);
        progress.passed(1);
        answer(progress, 0, "r1");
        pipeline.drain(0);
        return progress;
    }

    private void answer(PartitionProgress progress, long offset, String requestId) {
        pipeline.completed(new ResultPipeline.Completion(commands, progress, offset,
                requestId.getBytes(StandardCharsets.UTF_8), new CommandResults(Clock.systemUTC(), List.of()).noCall(
                        Commands.send(Instant.now().plusSeconds(30)), CommandStatus.UNAVAILABLE, "answered")));
    }
}
