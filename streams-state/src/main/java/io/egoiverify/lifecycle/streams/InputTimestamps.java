package io.egoiverify.lifecycle.streams;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The timestamp extractor of every source of the lifecycle topology: the record's own timestamp when it has a valid
 * one, else (a negative timestamp, e.g. -1 written by a producer that sets none) the partition's time when it is
 * known, else the wall clock. It never throws and never returns a negative value, so such a record is processed like
 * any other: Kafka's default ({@code FailOnInvalidTimestamp}) would throw before any handler, the replacement thread
 * would read the same record again forever, and it logs the whole record (a code, a phone number) at ERROR; a
 * negative result would make Kafka drop the record silently.
 *
 * <p>A timestamp ahead of the wall clock is taken as the wall clock: the state stores' changelog records carry the
 * extracted timestamp, and the broker refuses one further ahead than the changelog topic's
 * {@code message.timestamp.after.max.ms} (1 h by default). An input topic that allows more took a record stamped days
 * ahead, and its task failed on the changelog write, and on the same record again, for ever.
 *
 * <p>The lifecycle's decisions do not depend on it: every step uses the wall clock of the stream thread, and outcomes
 * carry their own timestamps. The record is never logged here.
 */
public final class InputTimestamps implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long timestamp = record.timestamp();
        long now = System.currentTimeMillis();
        if (timestamp > now) {
            return now;
        }
        if (timestamp >= 0) {
            return timestamp;
        }
        return partitionTime >= 0 ? partitionTime : now;
    }
}
