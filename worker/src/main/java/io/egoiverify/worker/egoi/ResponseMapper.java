package io.egoiverify.worker.egoi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps an HTTP answer or a transport failure to an {@link EgoiResult}. Pure apart from logging; no secrets logged. */
final class ResponseMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseMapper.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Call { SEND, VALIDATE }

    private final String wrongCodeStatus;
    private final Clock clock;

    ResponseMapper(String wrongCodeStatus, Clock clock) {
        this.wrongCodeStatus = wrongCodeStatus;
        this.clock = clock;
    }

    /** @param secret the submitted code (validate) or null, so it can be redacted from anything logged */
    EgoiResult answer(Call call, int httpStatus, String retryAfter, byte[] body, String secret) {
        if (httpStatus == 429) {
            return new EgoiResult.RateLimited(retryAfter(retryAfter));
        }
        if (httpStatus >= 500) {
            return new EgoiResult.ServerError(httpStatus);
        }
        JsonNode json = parse(body);
        String status = json == null ? null : text(json, "status");
        if (httpStatus < 200 || httpStatus >= 300) {
            if (call == Call.VALIDATE && wrongCodeStatus.equalsIgnoreCase(status)) {
                return new EgoiResult.WrongCode(wrongCodeStatus);
            }
            return new EgoiResult.Rejected(httpStatus, status == null ? null : safe(status, secret));
        }
        if (json == null || status == null) {
            return new EgoiResult.MalformedBody(httpStatus, json == null ? "not a JSON object" : "no status field");
        }
        if (call == Call.SEND && status.equalsIgnoreCase("Ok")) {
            String requestId = text(json, "requestId");
            return requestId == null || requestId.isBlank()
                    ? new EgoiResult.MalformedBody(httpStatus, "status Ok without requestId")
                    : new EgoiResult.Sent(requestId);
        }
        if (call == Call.VALIDATE) {
            if (status.equalsIgnoreCase("Verified")) {
                return new EgoiResult.Verified();
            }
            if (status.equalsIgnoreCase("Expired")) {
                return new EgoiResult.Expired();
            }
            if (status.equalsIgnoreCase("Already_Verified")) {
                return new EgoiResult.AlreadyVerified();
            }
            if (status.equalsIgnoreCase(wrongCodeStatus)) {
                return new EgoiResult.WrongCode(wrongCodeStatus);
            }
        }
        String shown = safe(status, secret);
        LOG.warn("Unrecognised E-goi status '{}' on {} (HTTP {})", shown, call, httpStatus);
        return new EgoiResult.UnrecognisedStatus(httpStatus, shown);
    }

    EgoiResult failure(Throwable error) {
        Throwable e = error;
        while ((e instanceof java.util.concurrent.CompletionException
                || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof RequestNotExecutedException) {
            // HttpClient's own verdict: the connection closed before the request was written
            return new EgoiResult.NotExecuted();
        }
        if (e instanceof ConnectTimeoutException) {
            return new EgoiResult.Timeout(EgoiResult.Phase.CONNECT);
        }
        if (e instanceof ConnectException) {
            return e.getMessage() != null && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timed out")
                    ? new EgoiResult.Timeout(EgoiResult.Phase.CONNECT)
                    : new EgoiResult.ConnectionRefused();
        }
        if (e instanceof SocketTimeoutException) {
            return new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE);
        }
        if (e instanceof TimeoutException) {
            // HttpClient's pool lease deadline: the request never left this process
            return new EgoiResult.Timeout(EgoiResult.Phase.POOL);
        }
        if (e instanceof IOException) {
            return new EgoiResult.ConnectionFailed(e.getClass().getSimpleName());
        }
        return new EgoiResult.ConnectionFailed(e.getClass().getSimpleName());
    }

    private Optional<Duration> retryAfter(String header) {
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

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    /** Bounded, printable, and never the submitted code. */
    static String safe(String status, String secret) {
        if (secret != null && !secret.isEmpty() && status.contains(secret)) {
            return "<redacted>";
        }
        String s = status.replaceAll("[^A-Za-z0-9_ .:-]", "?");
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
