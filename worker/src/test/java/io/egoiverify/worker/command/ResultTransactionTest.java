package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ResultTransactionTest {
    static final TopicPartition P0 = new TopicPartition("commands", 0);
    static final TopicPartition P1 = new TopicPartition("commands", 1);
    static final ConsumerGroupMetadata GROUP = new ConsumerGroupMetadata("g");

    final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    final ResultTransaction transaction = new ResultTransaction(producer, WorkerConfig.Flow.defaults());

    @BeforeEach
    void init() {
        transaction.init();
    }

    static ProducerRecord<byte[], byte[]> result(String key) {
        return new ProducerRecord<>("results", key.getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }

    static List<String> keys(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aFailedCommitKeepsItsResultsSoTheyAreCommittedOnceByTheNextTransaction() {
        transaction.send(P0, result("a"));
        transaction.send(P1, result("b"));
        producer.commitTransactionException = new KafkaException("coordinator busy");

        assertThat(transaction.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isFalse();
        assertThat(transaction.failures()).isEqualTo(1);
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();

        producer.commitTransactionException = null;
        transaction.replay(tp -> true);
        assertThat(transaction.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isTrue();
        assertThat(keys(producer.history())).containsExactly("a", "b");
        assertThat(transaction.failures()).isZero();
        assertThat(transaction.open()).isFalse();
    }

    @Test
    void replayDropsTheResultsOfPartitionsNoLongerOwned() {
        transaction.send(P0, result("a"));
        transaction.send(P1, result("b"));
        transaction.abort();

        transaction.replay(P1::equals);
        assertThat(transaction.commit(Map.of(), GROUP)).isTrue();
        assertThat(keys(producer.history())).containsExactly("b");
    }

    @Test
    void aSuccessfulCommitForgetsItsRecords() {
        transaction.send(P0, result("a"));
        assertThat(transaction.commit(Map.of(), GROUP)).isTrue();
        transaction.replay(tp -> true);
        assertThat(transaction.open()).isFalse();
        assertThat(keys(producer.history())).containsExactly("a");
    }

    @Test
    void aCommitThatTimedOutIsRetriedNotAborted() {
        MockProducer<byte[], byte[]> slow = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            int timeouts = 1;

            @Override
            public void commitTransaction() {
                if (timeouts-- > 0) {
                    throw new org.apache.kafka.common.errors.TimeoutException("commit timed out");
                }
                super.commitTransaction();
            }
        };
        ResultTransaction t = new ResultTransaction(slow, WorkerConfig.Flow.defaults());
        t.init();
        t.send(P0, result("a"));
        assertThat(t.commit(Map.of(P0, new OffsetAndMetadata(1)), GROUP)).isTrue();
        assertThat(slow.transactionAborted()).isFalse();
        assertThat(keys(slow.history())).containsExactly("a");
    }
}
