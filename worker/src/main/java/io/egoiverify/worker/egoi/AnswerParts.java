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

/** Reading pieces of an answer, common to both dialects: JSON, text fields, Retry-After, safe status text. */
final class AnswerParts {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** {@code Retry-After} as delta-seconds or an HTTP date. */
    static Optional<Duration> retryAfter(String header, Clock clock) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String h = header.strip();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(h))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException bad) {
                return Optional.empty();
            }
        }
    }

    /** Bounded, printable, and never one of {@code secrets} (the submitted code, a code in the answer). */
    static String safe(String text, String... secrets) {
        if (text == null) {
            return null;
        }
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty() && text.contains(secret)) {
                return "<redacted>";
            }
        }
        String s = text.replaceAll("[^A-Za-z0-9_ .:-]", "?");
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
