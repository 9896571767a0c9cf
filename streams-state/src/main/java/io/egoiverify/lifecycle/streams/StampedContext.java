package io.egoiverify.lifecycle.streams;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;

/**
 * An error context whose timestamp is neither negative nor ahead of the wall clock, which stands in for such a one.
 * Kafka Streams gives a deserialization handler the raw record's timestamp (the timestamp extractor runs only after
 * deserialization), and its built-in dead letter copies it: a ProducerRecord refuses -1 (a producer that set none),
 * and the broker refuses one further ahead than the dead-letter topic's {@code message.timestamp.after.max.ms} (1 h
 * by default). Either way the task failed and the replacement thread read the same record again, for ever.
 */
final class StampedContext implements ErrorHandlerContext {
    private final ErrorHandlerContext context;
    private final long timestamp;

    private StampedContext(ErrorHandlerContext context, long timestamp) {
        this.context = context;
        this.timestamp = timestamp;
    }

    /** {@code context} itself when its timestamp is valid and not ahead of the wall clock. */
    static ErrorHandlerContext of(ErrorHandlerContext context) {
        long now = System.currentTimeMillis();
        return context.timestamp() >= 0 && context.timestamp() <= now ? context : new StampedContext(context, now);
    }

    @Override
    public String topic() {
        return context.topic();
    }

    @Override
    public int partition() {
        return context.partition();
    }

    @Override
    public long offset() {
        return context.offset();
    }

    @Override
    public Headers headers() {
        return context.headers();
    }

    @Override
    public String processorNodeId() {
        return context.processorNodeId();
    }

    @Override
    public TaskId taskId() {
        return context.taskId();
    }

    @Override
    public long timestamp() {
        return timestamp;
    }

    @Override
    public byte[] sourceRawKey() {
        return context.sourceRawKey();
    }

    @Override
    public byte[] sourceRawValue() {
        return context.sourceRawValue();
    }
}
