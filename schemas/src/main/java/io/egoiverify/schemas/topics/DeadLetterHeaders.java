package io.egoiverify.schemas.topics;

/**
 * Header names on records in the dead-letter topic. The error headers are Kafka Streams' own (KIP-1034), so the
 * records the lifecycle's built-in handlers write and the ones the worker writes read the same to one tool; the
 * {@code egoi-verify.dead-letter.*} ones appear only on a dead letter cut to fit its topic ({@link DeadLetterFit}).
 */
public final class DeadLetterHeaders {
    /** The prefix of Kafka Streams' error headers. */
    public static final String PREFIX = "__streams.errors.";
    public static final String EXCEPTION = "__streams.errors.exception";
    public static final String MESSAGE = "__streams.errors.message";
    public static final String TOPIC = "__streams.errors.topic";
    public static final String PARTITION = "__streams.errors.partition";
    public static final String OFFSET = "__streams.errors.offset";
    /** What was cut, in words: the bytes kept of the key and value, and the headers dropped. */
    public static final String TRUNCATED = "egoi-verify.dead-letter.truncated";
    /** The original key's size in bytes (decimal). */
    public static final String KEY_SIZE = "egoi-verify.dead-letter.key-size";
    /** The original key's SHA-256, hex (empty for no key). */
    public static final String KEY_SHA256 = "egoi-verify.dead-letter.key-sha256";
    /** The original value's size in bytes (decimal). */
    public static final String VALUE_SIZE = "egoi-verify.dead-letter.value-size";
    /** The original value's SHA-256, hex (empty for no value). */
    public static final String VALUE_SHA256 = "egoi-verify.dead-letter.value-sha256";

    private DeadLetterHeaders() {
    }
}
