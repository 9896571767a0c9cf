package io.egoiverify.lifecycle.streams;

/**
 * A record that was deserialized but cannot be folded (no key, key not its requestId, an id longer than any answer can
 * carry, no value, or the pure step cannot fold it), raised before anything is written for it. The processing
 * exception handler dead-letters it and processing continues; every other exception fails the task. Messages never
 * contain record contents.
 */
public final class BadRecordException extends RuntimeException {
    public BadRecordException(String message) {
        super(message);
    }

    private BadRecordException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The pure step ({@code Lifecycle}, {@code NumberGuard}) threw on this record; nothing was written yet. */
    static BadRecordException unfoldable(RuntimeException cause) {
        return new BadRecordException("cannot fold the record: " + cause.getClass().getSimpleName() + ": "
                + cause.getMessage(), cause);
    }
}
