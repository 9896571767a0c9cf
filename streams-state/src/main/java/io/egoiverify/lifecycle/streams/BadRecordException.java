package io.egoiverify.lifecycle.streams;

/**
 * A record that was deserialized but cannot be folded (no key, key not its requestId, no value). The processing
 * exception handler dead-letters it and processing continues. Messages never contain record contents.
 */
public final class BadRecordException extends RuntimeException {
    public BadRecordException(String message) {
        super(message);
    }
}
