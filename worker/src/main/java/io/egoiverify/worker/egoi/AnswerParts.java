package io.egoiverify.worker.egoi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reading pieces of an answer, common to both dialects: JSON, text fields, Retry-After, safe status text. */
final class AnswerParts {
    /** The longest {@code Retry-After} taken as given. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DELTA_SECONDS = Pattern.compile("-?[0-9]+");
    private static final int MAX_DIGITS = 18;

    private AnswerParts() {
    }

    /** The body as JSON (object or array), or null when it is empty or not JSON. */
    static JsonNode json(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && (node.isObject() || node.isArray()) ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String text(JsonNode json, String field) {
        if (json == null || !json.isObject()) {
            return null;
        }
        JsonNode n = json.get(field);
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    /**
     * {@code Retry-After} as delta-seconds or an HTTP date, at most {@link #MAX_RETRY_AFTER}: a wait beyond any
     * command's deadline says no more than that, and a larger value would overflow the worker's arithmetic in millis.
     */
    static Optional<Duration> retryAfter(String header, Clock clock) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String h = header.strip();
        Duration d;
        if (DELTA_SECONDS.matcher(h).matches()) {
            // a negative wait is none; over 18 digits is far beyond the cap (and may not fit a long)
            d = h.startsWith("-") ? Duration.ZERO
                    : h.length() > MAX_DIGITS ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(h));
        } else {
            try {
                ZonedDateTime at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME);
                d = Duration.between(clock.instant(), at.toInstant());
            } catch (DateTimeParseException bad) {
                return Optional.empty();
            }
        }
        return Optional.of(d.isNegative() ? Duration.ZERO : d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d);
    }

    /** A 3xx: never followed (the API key would go wherever it points), so it ends the call. */
    static boolean isRedirect(int status) {
        return status >= 300 && status < 400;
    }

    /**
     * A redirect is no E-goi answer: whatever sits in E-goi's place (a proxy, a hijacked name) answered, or E-goi
     * processed a POST and points elsewhere (303). Its outcome is unknown, never a refusal: a send is not taken as
     * certainly failed, a validate not as judged by E-goi.
     */
    static EgoiResult redirect(int status) {
        return new EgoiResult.MalformedBody(status, "redirect, not followed");
    }

    /**
     * Bounded, printable, and never one of {@code secrets} (the submitted code, a code in the answer) nor a phone
     * number: it is logged, and it becomes a result's detail.
     */
    /**
     * The longest id of E-goi's that is taken as one. E-goi's ids are short; a longer one cannot be told from a broken
     * answer, and carried on it would make the verification's records too large for their topics (the lifecycle
     * dead-letters a result whose id passes 1,024 characters, which leaves the verification waiting for its deadline).
     * Such a send is "outcome unknown" at once instead.
     */
    static final int MAX_PROVIDER_ID_LENGTH = 256;

    /** Null when the id is usable, else what is wrong with it (for a {@link EgoiResult.MalformedBody}). */
    static String idProblem(String field, String id) {
        if (id == null || id.isBlank()) {
            return "no " + field;
        }
        return id.length() > MAX_PROVIDER_ID_LENGTH
                ? field + " of " + id.length() + " characters (at most " + MAX_PROVIDER_ID_LENGTH + ")" : null;
    }

    static String safe(String text, String... secrets) {
        if (text == null) {
            return null;
        }
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty() && text.contains(secret)) {
                return "<redacted>";
            }
        }
        // Six digits or more (alone or grouped): a phone number an answer echoes, in any format, kept out of logs.
        String s = text.replaceAll("\\+?\\d(?:[ .()\\-]{0,2}\\d){5,}", "<digits>")
                .replaceAll("[^A-Za-z0-9_ .:<>-]", "?");
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
