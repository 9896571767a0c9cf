package io.egoiverify.lifecycle.streams;

/** Looks through an exception's cause chain: Kafka Streams wraps what went wrong once or several times. */
final class Causes {
    private Causes() {
    }

    /** The first {@code type} in the chain of {@code error} (itself included), or null. */
    static Throwable find(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }
}
