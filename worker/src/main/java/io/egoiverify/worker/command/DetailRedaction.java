package io.egoiverify.worker.command;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What a result's detail may not carry, whatever E-goi's answer (which details quote) contains: an API key or a phone
 * number. An answer that echoes the request (a provider's error text, something answering in its place) would
 * otherwise put both into the result, and from there into {@code VerificationFailed.detail}, an outcome event.
 */
final class DetailRedaction {
    /**
     * Six digits or more, alone or split by spaces, dots, dashes or brackets: a number in any format (E.164, digits
     * only, E-goi's {@code 351-...}, national, grouped). Shorter runs stay (HTTP statuses, counts, milliseconds); the
     * codes are redacted where answers are read.
     */
    private static final Pattern NUMBERS = Pattern.compile("\\+?\\d(?:[ .()\\-]{0,2}\\d){5,}");

    /** E-goi's keys are long (40 characters); a test's one-letter key would otherwise be cut out of every word. */
    private static final int SHORTEST_KEY = 8;

    private final List<String> keys;

    DetailRedaction(List<String> keys) {
        this.keys = keys.stream().filter(k -> k != null && k.length() >= SHORTEST_KEY).toList();
    }

    String apply(String detail) {
        if (detail == null) {
            return null;
        }
        String s = detail;
        for (String key : keys) {
            s = s.replace(key, "<key>");
        }
        return NUMBERS.matcher(s).replaceAll("<digits>");
    }
}
