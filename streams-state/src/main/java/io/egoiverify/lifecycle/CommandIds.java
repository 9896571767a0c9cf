package io.egoiverify.lifecycle;

import java.time.Instant;
import java.util.Optional;

/**
 * Command ids are derived, not random, so that a replayed step (after a crash under exactly-once) issues the same id.
 * The admission instant keeps them unique when a purged requestId is used again. Ids have the form
 * {@code <requestId>/<kind>/<millis>} (a requestId has no '/'). A command granted by a permit takes its id from the
 * permit's alone ({@link #granted}), so that whoever grants the permit could issue the command itself and the
 * lifecycle would still know which result to expect.
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

    /** The resend that would send code number {@code sendCount}. */
    static String resend(String requestId, int sendCount, Instant now) {
        return requestId + "/resend-" + sendCount + "/" + now.toEpochMilli();
    }

    static String resendPermit(String requestId, int sendCount, Instant now) {
        return requestId + "/permit-resend-" + sendCount + "/" + now.toEpochMilli();
    }

    /** A best-effort cancel at E-goi; never awaited. */
    static String cancel(String requestId, Instant now) {
        return requestId + "/cancel/" + now.toEpochMilli();
    }

    /** The admission instant a command id carries (its last part); empty for an id not of that form. */
    static Optional<Instant> admittedAt(String commandId) {
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(
                    commandId.substring(commandId.lastIndexOf('/') + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The command a permit grants: {@code r/permit/t} → {@code r/send/t}, {@code r/permit-resend-n/t} →
     * {@code r/resend-n/t}.
     */
    static String granted(String permitId) {
        int last = permitId.lastIndexOf('/');
        int first = permitId.lastIndexOf('/', last - 1);
        String kind = permitId.substring(first + 1, last);
        String command = kind.equals("permit") ? "send" : kind.startsWith("permit-") ? kind.substring(7) : null;
        if (first < 0 || command == null) {
            throw new IllegalArgumentException("not a permit id: " + permitId);
        }
        return permitId.substring(0, first + 1) + command + permitId.substring(last);
    }
}
