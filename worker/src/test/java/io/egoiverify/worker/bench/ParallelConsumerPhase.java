package io.egoiverify.worker.bench;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Confluent parallel-consumer 0.5.3.3 (built for kafka-clients 3.9.1, run here on the pinned 4.3.1) doing the worker's
 * job: unordered, {@code maxConcurrency} records in flight, each a blocking EgoiClient send whose result is produced
 * by PC. Values travel as bytes because PC produces with the consumer's key/value types; the bench's own Avro serdes
 * turn them into commands and results. Only the benchmark uses it: the product does not depend on PC.
 */
final class ParallelConsumerPhase implements AutoCloseable {
    private final ParallelStreamProcessor<String, byte[]> pc;
    private final CountDownLatch assigned = new CountDownLatch(1);

    ParallelConsumerPhase(String bootstrap, Topics topics, EgoiClient client, SenderProfile profile,
                          int maxConcurrency, CommitMode commitMode, String id) {
        Map<String, Object> cprops = new HashMap<>();
        // the same consumer settings as the worker's (KafkaClients), where PC allows them
        cprops.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cprops.put(ConsumerConfig.GROUP_ID_CONFIG, "group-" + id);
        cprops.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        cprops.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cprops.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cprops.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        cprops.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        cprops.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        Map<String, Object> pprops = new HashMap<>();
        pprops.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pprops.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pprops.put(ProducerConfig.ACKS_CONFIG, "all");
        pprops.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        if (commitMode == CommitMode.PERIODIC_TRANSACTIONAL_PRODUCER) {
            pprops.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pc-" + id);
            pprops.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        }
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cprops, new StringDeserializer(),
                new ByteArrayDeserializer());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pprops, new StringSerializer(),
                new ByteArraySerializer());
        ParallelConsumerOptions<String, byte[]> options = ParallelConsumerOptions.<String, byte[]>builder()
                .consumer(consumer).producer(producer).ordering(ProcessingOrder.UNORDERED)
                .maxConcurrency(maxConcurrency).commitMode(commitMode).build();
        pc = ParallelStreamProcessor.createEosStreamProcessor(options);
        pc.subscribe(List.of(topics.names.commands()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    assigned.countDown();
                }
            }
        });
        var commandDeserializer = topics.commands.valueSerde().deserializer();
        var resultSerializer = topics.results.valueSerde().serializer();
        String commandsTopic = topics.names.commands();
        String resultsTopic = topics.names.results();
        // PC runs each record's function on one of maxConcurrency threads: the call blocks that thread
        pc.pollAndProduce(ctx -> {
            VerificationCommand c = commandDeserializer.deserialize(commandsTopic, ctx.value());
            SendCode s = (SendCode) c.getAction();
            Instant started = Instant.now();
            EgoiResult r = client.send(profile, new SendRequest(s.getPhoneNumber(), s.getCodeType(),
                    s.getCodeSize(), s.getTtlSeconds(), s.getMessage(), null)).join();
            boolean sent = r instanceof EgoiResult.Sent;
            VerificationCommandResult result = VerificationCommandResult.newBuilder().setCommandId(c.getCommandId())
                    .setRequestId(c.getRequestId()).setCompletedAt(Instant.now())
                    .setStatus(sent ? CommandStatus.SENT : CommandStatus.UNAVAILABLE)
                    .setProviderRequestId(sent ? ((EgoiResult.Sent) r).providerRequestId() : null)
                    .setCallStartedAt(sent ? started : null).setProviderCalls(1).setDetail(r.describe()).build();
            return new ProducerRecord<>(resultsTopic, c.getRequestId(),
                    resultSerializer.serialize(resultsTopic, result));
        });
    }

    /** Waits until PC's consumer owns partitions; false if it failed or the timeout passed first. */
    boolean awaitAssigned(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (assigned.await(50, TimeUnit.MILLISECONDS)) {
                return true;
            }
            if (pc.isClosedOrFailed()) {
                return false;
            }
        }
        return false;
    }

    boolean failed() {
        return pc.isClosedOrFailed();
    }

    /** The reason PC's control loop stopped, if it did. */
    Throwable failureCause() {
        return pc instanceof io.confluent.parallelconsumer.internal.AbstractParallelEoSStreamProcessor<?, ?> a
                ? a.getFailureCause() : null;
    }

    @Override
    public void close() {
        pc.closeDontDrainFirst(Duration.ofSeconds(10));
    }
}
