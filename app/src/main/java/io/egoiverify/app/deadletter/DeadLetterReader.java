package io.egoiverify.app.deadletter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the dead-letter topic once, from the beginning (or a point in time, or the lowest listed offset) up to the end
 * it had when the read started: read_committed, assigned partitions, no consumer group and no commits, so that looking
 * moves nobody's offsets and needs no group ACL.
 */
public final class DeadLetterReader {
    /** Give up when a poll round brings nothing new for this long while the end is not reached. */
    private static final Duration STALL = Duration.ofSeconds(60);
    private static final Duration METADATA = Duration.ofSeconds(30);
    private final Map<String, Object> props;
    private final String topic;

    public DeadLetterReader(Map<String, Object> kafka, String topic) {
        this.props = new HashMap<>(kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.topic = topic;
    }

    /**
     * Hands every dead letter in range to {@code sink}, partition by partition in offset order within each.
     *
     * @param since     read only records stamped at or after it (null: from the beginning)
     * @param positions read only these partitions, from their lowest listed offset (null: all partitions)
     * @throws IllegalStateException when the topic is missing or the end is not reached
     */
    public void read(Instant since, Map<Integer, Set<Long>> positions, Consumer<DeadLetter> sink) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> found = consumer.partitionsFor(topic, METADATA);
            if (found == null || found.isEmpty()) {
                throw new IllegalStateException("dead-letter topic missing: " + topic + " (is topics.prefix right?)");
            }
            List<TopicPartition> partitions = found.stream().map(p -> new TopicPartition(topic, p.partition()))
                    .filter(tp -> positions == null || positions.containsKey(tp.partition())).toList();
            // assigned before the offsets are listed: read_committed, listing an unassigned partition logs a WARN
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, METADATA);
            Map<TopicPartition, Long> start = start(consumer, partitions, since, positions);
            Map<TopicPartition, Long> remaining = new HashMap<>();
            start.forEach((tp, offset) -> {
                if (offset < end.get(tp)) {
                    remaining.put(tp, end.get(tp));
                    consumer.seek(tp, offset);
                }
            });
            consumer.pause(partitions.stream().filter(tp -> !remaining.containsKey(tp)).toList());
            long lastProgress = System.nanoTime();
            while (!remaining.isEmpty()) {
                boolean progressed = false;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Long stop = remaining.get(new TopicPartition(r.topic(), r.partition()));
                    if (stop != null && r.offset() < stop) {
                        sink.accept(DeadLetter.of(r));
                        progressed = true;
                    }
                }
                // the position, not the last record: transaction markers and aborted records take offsets too
                List<TopicPartition> done = new ArrayList<>();
                for (TopicPartition tp : List.copyOf(remaining.keySet())) {
                    if (consumer.position(tp, METADATA) >= remaining.get(tp)) {
                        remaining.remove(tp);
                        done.add(tp);
                    }
                }
                boolean finished = !done.isEmpty();
                // paused rather than unassigned: a fetch in flight for an unassigned partition is logged as a WARN
                consumer.pause(done);
                if (progressed || finished) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                    throw new IllegalStateException("reading " + topic + " made no progress for " + STALL.toSeconds()
                            + " s; partitions left: " + remaining.keySet());
                }
            }
        }
    }

    private static Map<TopicPartition, Long> start(KafkaConsumer<byte[], byte[]> consumer,
                                                   List<TopicPartition> partitions, Instant since,
                                                   Map<Integer, Set<Long>> positions) {
        Map<TopicPartition, Long> start = new HashMap<>(consumer.beginningOffsets(partitions, METADATA));
        if (positions != null) {
            start.replaceAll((tp, first) -> Math.max(first, Collections.min(positions.get(tp.partition()))));
        }
        if (since != null) {
            Map<TopicPartition, Long> at = new HashMap<>();
            partitions.forEach(tp -> at.put(tp, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at, METADATA);
            // no record stamped at or after it: nothing to read there
            start.replaceAll((tp, first) -> found.get(tp) == null ? Long.MAX_VALUE
                    : Math.max(first, found.get(tp).offset()));
        }
        return start;
    }
}
