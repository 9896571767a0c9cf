package io.egoiverify.schemas.topics;

/**
 * Header names on records in the dead-letter topic. They are Kafka Streams' own (KIP-1034), so the records the
 * lifecycle's built-in handlers write and the ones the worker writes read the same to one tool.
 */
public final class DeadLetterHeaders {
    public static final String EXCEPTION = "__streams.errors.exception";
    public static final String MESSAGE = "__streams.errors.message";
    public static final String TOPIC = "__streams.errors.topic";
    public static final String PARTITION = "__streams.errors.partition";
    public static final String OFFSET = "__streams.errors.offset";

    private DeadLetterHeaders() {
    }
}
