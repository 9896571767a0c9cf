package io.egoiverify.worker.command;

/**
 * How long to wait before using the schema registry again after it could not be reached: 250 ms, doubling per
 * consecutive failure up to 5 s, back to the start after any success. An outage is not a bad record, so the worker
 * waits rather than dead-letters; the cap keeps recovery quick once the registry answers again. Poll thread only.
 */
final class RegistryBackoff {
    static final long INITIAL_MILLIS = 250;
    static final long MAX_MILLIS = 5_000;

    private int failures;

    /** Records a failure; returns how long to wait before the next try. */
    long failed() {
        long delay = INITIAL_MILLIS << Math.min(failures, 10);
        failures++;
        return Math.min(delay, MAX_MILLIS);
    }

    void succeeded() {
        failures = 0;
    }

    int failures() {
        return failures;
    }
}
