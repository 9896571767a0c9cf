package io.egoiverify.lifecycle.streams;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;

/**
 * A consumer interceptor that hands records keyed {@value #KEY} over stamped -1, as the consumer delivers a record
 * whose producer set no timestamp (the Java producer cannot write one).
 */
public class Unstamping implements ConsumerInterceptor<byte[], byte[]> {
    static final String KEY = "unstamped";

    @Override
    public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                boolean unstamped = r.key() != null && KEY.equals(new String(r.key(), StandardCharsets.UTF_8));
                list.add(!unstamped ? r : new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), -1L,
                        TimestampType.CREATE_TIME, r.serializedKeySize(), r.serializedValueSize(), r.key(),
                        r.value(), r.headers(), r.leaderEpoch()));
            }
            out.put(tp, list);
        }
        return new ConsumerRecords<>(out, records.nextOffsets());
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        // nothing to do
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }
}
