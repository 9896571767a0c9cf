package io.egoiverify.app.deadletter;

import java.util.regex.Pattern;

/**
 * The one line {@code dlq list} prints for a dead letter: where it is, where it came from, the error, the sizes. Never
 * the key or the value: they may hold a phone number or a code. The error message is printed cut short and with every
 * run of four or more digits masked: the service's own messages name no data, but a deserializer's or a library's
 * message might quote some (a phone number, a code).
 */
public final class DeadLetterLine {
    static final int MESSAGE_LIMIT = 100;
    private static final Pattern DIGITS = Pattern.compile("\\+?\\d{4,}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}+");

    private DeadLetterLine() {
    }

    public static String of(DeadLetter d) {
        return String.format("dlq %s  %s  from %s  %s: %s  key %d B, value %d B%s", d.position(), d.timestamp(),
                origin(d), orUnknown(d.exception()), safeMessage(d.message()), d.keySize(), d.valueSize(),
                d.truncated() ? "  truncated" : "");
    }

    /** {@code topic partition:offset} of the origin record, as the headers name it. */
    static String origin(DeadLetter d) {
        return orUnknown(d.originTopic()) + " " + d.originPartition() + ":" + d.originOffset();
    }

    /** The error message on one line, digit runs masked, cut to {@value #MESSAGE_LIMIT} characters. */
    static String safeMessage(String message) {
        if (message == null) {
            return "(no message)";
        }
        String one = CONTROL.matcher(message).replaceAll(" ").strip();
        String masked = DIGITS.matcher(one).replaceAll("####");
        return masked.length() <= MESSAGE_LIMIT ? masked : masked.substring(0, MESSAGE_LIMIT) + "...";
    }

    private static String orUnknown(String s) {
        return s == null ? "(unknown)" : s;
    }
}
