package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.worker.command.PendingRecords.Fate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


@Timeout(10)
class ResultTransactionTest {
    static final TopicPartition P0 = new TopicPartition("commands", 0);
    static final TopicPartition P1 = new TopicPartition("commands", 1);
    /** The progress under which each partition's commands were taken (routing here goes by partition only). */
    static final PartitionProgress TAKEN_0 = new PartitionProgress(null);
    static final PartitionProgress TAKEN_1 = new PartitionProgress(null);
    @SuppressWarnings("removal") // deprecated for applications, which get it from their consumer; a test has none
    static final ConsumerGroupMetadata GROUP = new ConsumerGroupMetadata("g");

    /** Hands out the given producers in order and answers committed offsets from a map the test controls. */
    static final class FakeKafka implements TransactionalProducer.Kafka {
        final Deque<MockProducer<byte[], byte[]>> producers = new ArrayDeque<>();
        final List<Producer<byte[], byte[]>> ready = new ArrayList<>();
        final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        boolean stopping;

        FakeKafka(List<MockProducer<byte[], byte[]>> producers) {
            this.producers.addAll(producers);
        }

        @Override
        public Producer<byte[], byte[]> newProducer() {
            return producers.removeFirst();
        }

        @Override
        public void producerReady(Producer<byte[], byte[]> producer) {
            ready.add(producer);
        }

        @Override
        public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>(committed);
            out.keySet().retainAll(partitions);
            return out;
        }

        @Override
        public boolean stopping() {
            return stopping;
        }
    }

    static MockProducer<byte[], byte[]> mock() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A producer whose first {@code timeouts} commits time out, after which it refuses an abort like Kafka's. */
    static MockProducer<byte[], byte[]> commitTimesOut(int timeouts) {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            int left = timeouts;
            boolean pendingCommit;

            @Override
            public void commitTransaction() {
                if (left-- > 0) {
                    pendingCommit = true;
                    throw new TimeoutException("commit timed out");
                }
                pendingCommit = false;
                super.commitTransaction();
            }

            @Override
            public void abortTransaction() {
                if (pendingCommit) {
                    throw new IllegalStateException("Cannot attempt operation `abortTransaction` because the previous"
                            + " call to `commitTransaction` timed out and must be retried");
                }
                super.abortTransaction();
            }
        };
    }

    static ProducerRecord<byte[], byte[]> result(String key) {
        return new ProducerRecord<>("results", key.getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }

    static List<String> keys(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    }

    static ResultTransaction started(FakeKafka kafka) {
        ResultTransaction t = new ResultTransaction(new TransactionalProducer(kafka), WorkerConfig.Flow.defaults());
        t.init();
        return t;
    }

    @Test
    void aFailedCommitKeepsItsResultsSoTheyAreCommittedOnceByTheNextTransaction() {
        MockProducer<byte[], byte[]> producer = mock();
        ResultTransaction transaction = started(new FakeKafka(List.of(producer)));
        transaction.send(P0, TAKEN_0, result("a"));
        transaction.send(P1, TAKEN_1, result("b"));
        producer.commitTransactionException = new KafkaException("coordinator busy");

        assertThat(transaction.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isFalse();
        assertThat(transaction.failures()).isEqualTo(1);
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();

        producer.commitTransactionException = null;
        transaction.replay((tp, by) -> Fate.SEND);
        assertThat(transaction.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isTrue();
        assertThat(keys(producer.history())).containsExactly("a", "b");
        assertThat(transaction.failures()).isZero();
        assertThat(transaction.open()).isFalse();
    }

    @Test
    void replayDropsTheResultsOfPartitionsNoLongerOwned() {
        MockProducer<byte[], byte[]> producer = mock();
        ResultTransaction transaction = started(new FakeKafka(List.of(producer)));
        transaction.send(P0, TAKEN_0, result("a"));
        transaction.send(P1, TAKEN_1, result("b"));
        transaction.abort();

        transaction.replay((tp, by) -> P1.equals(tp) ? Fate.SEND : Fate.DROP);
        assertThat(transaction.commit(Map.of(), GROUP)).isTrue();
        assertThat(keys(producer.history())).containsExactly("b");
    }

    @Test
    void resultsOfASuspendedPartitionWaitAsideUntilItComesBackOrGoes() {
        MockProducer<byte[], byte[]> producer = mock();
        ResultTransaction transaction = started(new FakeKafka(List.of(producer)));
        transaction.send(P0, TAKEN_0, result("a"));
        transaction.send(P1, TAKEN_1, result("b"));
        transaction.abort();
        transaction.replay((tp, by) -> P0.equals(tp) ? Fate.PARK : Fate.SEND);
        assertThat(transaction.commit(Map.of(), GROUP)).isTrue();
        assertThat(keys(producer.history())).containsExactly("b");

        transaction.send(P1, TAKEN_1, result("c"));
        transaction.unpark((tp, by) -> Fate.SEND); // P0 came back
        assertThat(transaction.commit(Map.of(), GROUP)).isTrue();
        assertThat(keys(producer.history())).containsExactly("b", "c", "a");

        transaction.send(P0, TAKEN_0, result("d"));
        transaction.abort();
        transaction.replay((tp, by) -> Fate.PARK);
        transaction.unpark((tp, by) -> Fate.DROP); // P0 went elsewhere
        assertThat(transaction.commit(Map.of(), GROUP)).isTrue();
        assertThat(keys(producer.history())).containsExactly("b", "c", "a");
    }

    @Test
    void aSuccessfulCommitForgetsItsRecords() {
        MockProducer<byte[], byte[]> producer = mock();
        ResultTransaction transaction = started(new FakeKafka(List.of(producer)));
        transaction.send(P0, TAKEN_0, result("a"));
        assertThat(transaction.commit(Map.of(), GROUP)).isTrue();
        transaction.replay((tp, by) -> Fate.SEND);
        assertThat(transaction.open()).isFalse();
        assertThat(keys(producer.history())).containsExactly("a");
    }

    @Test
    void aTimedOutCommitThatWentThroughIsRecognisedByANewProducerAndNotAborted() {
        MockProducer<byte[], byte[]> slow = commitTimesOut(1);
        MockProducer<byte[], byte[]> next = mock();
        FakeKafka kafka = new FakeKafka(List.of(slow, next));
        ResultTransaction t = started(kafka);
        t.send(P0, TAKEN_0, result("a"));
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(P0, new OffsetAndMetadata(1, "egv1:x"));
        kafka.committed.put(P0, new OffsetAndMetadata(1, java.util.Optional.of(3), "egv1:x")); // it did commit

        assertThat(t.commit(offsets, GROUP)).isTrue();
        assertThat(slow.transactionAborted()).isFalse();
        assertThat(slow.closed()).isTrue();
        assertThat(kafka.ready).containsExactly(slow, next);
        assertThat(t.failures()).isZero();
        // nothing is replayed: the next transaction starts empty
        t.replay((tp, by) -> Fate.SEND);
        assertThat(t.commit(Map.of(), GROUP)).isTrue();
        assertThat(next.history()).isEmpty();
    }

    @Test
    void aTimedOutCommitThatDidNotGoThroughIsReplayedThroughANewProducerWithoutCallingAbort() {
        MockProducer<byte[], byte[]> slow = commitTimesOut(3);
        MockProducer<byte[], byte[]> next = mock();
        FakeKafka kafka = new FakeKafka(List.of(slow, next));
        ResultTransaction t = started(kafka);
        t.send(P0, TAKEN_0, result("a"));
        t.send(P1, TAKEN_1, result("b"));
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(P0, new OffsetAndMetadata(1, "m"));
        kafka.committed.put(P0, new OffsetAndMetadata(0, "")); // the previous commit: this one was aborted

        assertThat(t.commit(offsets, GROUP)).isFalse();
        assertThat(t.failures()).isEqualTo(1);
        assertThat(slow.closed()).isTrue();

        t.replay((tp, by) -> Fate.SEND);
        assertThat(t.commit(offsets, GROUP)).isTrue();
        assertThat(keys(next.history())).containsExactly("a", "b");
    }

    @Test
    void aTimedOutOffsetCommitIsSettledByANewProducerAndReplayed() {
        MockProducer<byte[], byte[]> slow = mock();
        slow.sendOffsetsToTransactionException = new TimeoutException("offsets timed out");
        MockProducer<byte[], byte[]> next = mock();
        ResultTransaction t = started(new FakeKafka(List.of(slow, next)));
        t.send(P0, TAKEN_0, result("a"));

        assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isFalse();
        t.replay((tp, by) -> Fate.SEND);
        assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isTrue();
        assertThat(keys(next.history())).containsExactly("a");
    }

    @Test
    void aTimedOutAbortIsCompletedByANewProducer() {
        MockProducer<byte[], byte[]> slow = mock();
        slow.commitTransactionException = new KafkaException("abortable");
        slow.abortTransactionException = new TimeoutException("abort timed out");
        MockProducer<byte[], byte[]> next = mock();
        ResultTransaction t = started(new FakeKafka(List.of(slow, next)));
        t.send(P0, TAKEN_0, result("a"));

        assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isFalse();
        t.replay((tp, by) -> Fate.SEND);
        assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isTrue();
        assertThat(keys(next.history())).containsExactly("a");
    }

    @Test
    void aRecordTheProducerRefusesDoomsTheTransactionWhoseRecordsAreThenReplayed() {
        MockProducer<byte[], byte[]> producer = mock();
        ResultTransaction t = started(new FakeKafka(List.of(producer)));
        t.send(P0, TAKEN_0, result("a"));
        producer.sendException = new KafkaException("Cannot execute transactional method because we are in an error"
                + " state");
        t.send(P0, TAKEN_0, result("b"));
        producer.sendException = null;

        assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(2)), GROUP)).isFalse();
        assertThat(producer.transactionAborted()).isTrue();
        t.replay((tp, by) -> Fate.SEND);
        assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(2)), GROUP)).isTrue();
        assertThat(keys(producer.history())).containsExactly("a", "b");
    }

    /** A producer that refuses every record to {@code topic} while {@code refuse}, as Kafka an oversized one. */
    static final class RefusingProducer extends MockProducer<byte[], byte[]> {
        final String topic;
        final RuntimeException refusal;
        volatile boolean refuse = true;

        RefusingProducer(String topic, RuntimeException refusal) {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.topic = topic;
            this.refusal = refusal;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (refuse && record.topic().equals(topic)) {
                throw refusal;
            }
            return super.send(record, callback);
        }
    }

    static ProducerRecord<byte[], byte[]> deadLetter(String key) {
        return new ProducerRecord<>("verification.dlq", key.getBytes(StandardCharsets.UTF_8), new byte[] {2});
    }

    /**
     * A dead letter the producer refuses for good (oversized, no Write ACL) dooms every replay of its transaction:
     * after a few in a row the commit stops the worker, naming the cause, instead of looping for ever.
     */
    @Test
    void aRecordRefusedForGoodInEveryReplayStopsTheWorkerAfterAFewTransactions() {
        RefusingProducer producer = new RefusingProducer("verification.dlq",
                new RecordTooLargeException("The message is 2000000 bytes when serialized"));
        ResultTransaction t = started(new FakeKafka(List.of(producer)));
        t.send(P0, TAKEN_0, result("a"));
        t.send(P0, TAKEN_0, deadLetter("x"));
        for (int i = 1; i < ResultTransaction.MAX_REFUSALS; i++) {
            assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(2)), GROUP)).as("transaction %d", i).isFalse();
            t.replay((tp, by) -> Fate.SEND); // the dead letter is refused again
        }
        assertThatThrownBy(() -> t.commit(Map.of(P0, new OffsetAndMetadata(2)), GROUP))
                .isInstanceOf(ResultTransaction.RecordRefusedException.class)
                .hasMessageContaining("verification.dlq").hasMessageContaining("RecordTooLargeException");
        assertThat(producer.history()).as("nothing committed, the dead letter not dropped silently").isEmpty();
    }

    @Test
    void aRecordRefusedLaterFailsEveryCommitAndStopsTheWorkerAfterAFewTransactions() {
        MockProducer<byte[], byte[]> producer = mock();
        ResultTransaction t = started(new FakeKafka(List.of(producer)));
        producer.commitTransactionException = new KafkaException("Cannot execute transactional method because we are"
                + " in an error state", new RecordTooLargeException("over the broker's message.max.bytes"));
        t.send(P0, TAKEN_0, deadLetter("x"));
        for (int i = 1; i < ResultTransaction.MAX_REFUSALS; i++) {
            assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isFalse();
            t.replay((tp, by) -> Fate.SEND);
        }
        assertThatThrownBy(() -> t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP))
                .isInstanceOf(ResultTransaction.RecordRefusedException.class)
                .hasMessageContaining("RecordTooLargeException");
    }

    /**
     * As Kafka does with a record the broker refuses: its send returns, its callback fails later, and from then on
     * every send of the transaction throws at once with that cause, whatever its topic.
     */
    static final class BrokerRefusingProducer extends MockProducer<byte[], byte[]> {
        private final String topic;
        private RuntimeException lastError;

        BrokerRefusingProducer(String topic) {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.topic = topic;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (lastError != null) {
                throw new KafkaException("Cannot perform send because at least one previous transactional or "
                        + "idempotent request has failed with errors.", lastError);
            }
            if (record.topic().equals(topic)) {
                lastError = new RecordTooLargeException("The request included a message larger than the max "
                        + "message size the server will accept.");
                if (callback != null) { // before the next send, as the producer's I/O thread
                    callback.onCompletion(null, lastError);
                }
                return new CompletableFuture<>(); // not done when send returns
            }
            return super.send(record, callback);
        }

        @Override
        public synchronized void abortTransaction() {
            lastError = null;
            super.abortTransaction();
        }
    }

    @Test
    void aRecordTheBrokerRefusesIsNamedNotTheRecordWhoseSendFailedBecauseOfIt() {
        BrokerRefusingProducer producer = new BrokerRefusingProducer("verification.dlq");
        ResultTransaction t = started(new FakeKafka(List.of(producer)));
        t.send(P0, TAKEN_0, deadLetter("x"));
        t.send(P0, TAKEN_0, result("a")); // throws at once inside: the producer is in an error state
        for (int i = 1; i < ResultTransaction.MAX_REFUSALS; i++) {
            assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(2)), GROUP)).as("transaction %d", i).isFalse();
            t.replay((tp, by) -> Fate.SEND);
        }
        assertThatThrownBy(() -> t.commit(Map.of(P0, new OffsetAndMetadata(2)), GROUP))
                .isInstanceOf(ResultTransaction.RecordRefusedException.class)
                .hasMessageContaining("a record to verification.dlq refused")
                .hasMessageContaining("RecordTooLargeException");
    }

    @Test
    void aRecordRefusedForGoodThatIsTakenAgainCommitsAndResetsTheCount() {
        RefusingProducer producer = new RefusingProducer("verification.dlq",
                new TopicAuthorizationException(Set.of("verification.dlq")));
        ResultTransaction t = started(new FakeKafka(List.of(producer)));
        for (int round = 0; round < 2; round++) {
            producer.refuse = true;
            t.send(P0, TAKEN_0, deadLetter("x" + round));
            for (int i = 1; i < ResultTransaction.MAX_REFUSALS; i++) {
                assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isFalse();
                producer.refuse = i < ResultTransaction.MAX_REFUSALS - 1; // then the ACL is granted
                t.replay((tp, by) -> Fate.SEND);
            }
            assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).as("round %d", round).isTrue();
        }
        assertThat(keys(producer.history())).containsExactly("x0", "x1");
    }

    @Test
    void aTransientRefusalIsReplayedWithoutEnd() {
        RefusingProducer producer = new RefusingProducer("results", new KafkaException("in an error state"));
        ResultTransaction t = started(new FakeKafka(List.of(producer)));
        t.send(P0, TAKEN_0, result("a"));
        for (int i = 0; i < ResultTransaction.MAX_REFUSALS * 3; i++) {
            assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isFalse();
            t.replay((tp, by) -> Fate.SEND);
        }
        assertThat(t.failures()).isEqualTo(ResultTransaction.MAX_REFUSALS * 3);
    }

    @Test
    void fencingByAnotherInstanceWithinTheTransactionTimeoutIsFatal() {
        MockProducer<byte[], byte[]> producer = mock();
        ResultTransaction t = started(new FakeKafka(List.of(producer)));
        t.send(P0, TAKEN_0, result("a"));
        producer.commitTransactionException = new ProducerFencedException("fenced");

        assertThatThrownBy(() -> t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP))
                .isInstanceOf(ProducerFencedException.class);
    }

    @Test
    void fencingOfATransactionOlderThanTheTransactionTimeoutIsTheCoordinatorAbortingItAndIsReplayed() {
        MockProducer<byte[], byte[]> old = mock();
        MockProducer<byte[], byte[]> next = mock();
        WorkerConfig.Flow d = WorkerConfig.Flow.defaults();
        WorkerConfig.Flow shortTimeout = new WorkerConfig.Flow(d.maxInFlight(), d.maxOffsetSpan(), d.commitInterval(),
                d.maxRecordsPerTransaction(), d.pollTimeout(), d.sessionTimeout(), Duration.ofNanos(1),
                d.revokeGrace(), d.shutdownGrace());
        ResultTransaction t = new ResultTransaction(new TransactionalProducer(new FakeKafka(List.of(old, next))),
                shortTimeout);
        t.init();
        t.send(P0, TAKEN_0, result("a"));
        old.commitTransactionException = new ProducerFencedException("epoch bumped by the coordinator");

        assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isFalse();
        t.replay((tp, by) -> Fate.SEND);
        assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isTrue();
        assertThat(keys(next.history())).containsExactly("a");
    }

    @Test
    void initialisingWaitsForTheBrokerAndGivesUpOnlyWhenStopping() {
        MockProducer<byte[], byte[]> unreachable = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            int calls;

            @Override
            public void initTransactions() {
                if (++calls < 3) {
                    throw new TimeoutException("init timed out");
                }
                super.initTransactions();
            }
        };
        FakeKafka kafka = new FakeKafka(List.of(unreachable));
        started(kafka);
        assertThat(kafka.ready).containsExactly(unreachable);

        MockProducer<byte[], byte[]> never = mock();
        never.initTransactionException = new TimeoutException("init timed out");
        FakeKafka stopping = new FakeKafka(List.of(never));
        stopping.stopping = true;
        assertThatThrownBy(() -> started(stopping)).isInstanceOf(TransactionalProducer.GaveUpException.class);
    }
}
