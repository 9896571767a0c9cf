package io.egoiverify.lifecycle;

import java.time.Instant;

/**
 * Command ids are derived, not random, so that a replayed step (after a crash under exactly-once) issues the same id.
 * The admission instant keeps them unique when a purged requestId is used again.
 */
final class CommandIds {
    private CommandIds() {
    }

    static String send(String requestId, Instant now) {
        return requestId + "/send/" + now.toEpochMilli();
    }

    static String check(String requestId, int attempt, Instant now) {
        return requestId + "/check-" + attempt + "/" + now.toEpochMilli();
    }

    static String permit(String requestId, Instant now) {
        return requestId + "/permit/" + now.toEpochMilli();
    }
}
