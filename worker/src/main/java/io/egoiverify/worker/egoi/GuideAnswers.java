package io.egoiverify.worker.egoi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the guide dialect's answers: {@code {requestId, status: Ok}} for a send, {@code {requestId, status: Verified |
 * Expired | Already_Verified}} for a validate, and the configured wrong-code status (an assumption).
 */
final class GuideAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(GuideAnswers.class);
    /** Distinct unrecognised statuses logged at most once each, as in {@link V2Answers}. */
    private static final int MAX_REPORTED = 256;

    private final String wrongCodeStatus;
    private final Clock clock;
    private final FirstSightings reported = new FirstSightings(MAX_REPORTED);

    GuideAnswers(String wrongCodeStatus, Clock clock) {
        this.wrongCodeStatus = wrongCodeStatus;
        this.clock = clock;
    }

    EgoiResult send(EgoiHttp.Answer a) {
        EgoiResult transport = statusOnly(a, null);
        if (transport != null) {
            return transport;
        }
        JsonNode json = AnswerParts.json(a.body());
        String status = AnswerParts.text(json, "status");
        if (json == null || !json.isObject() || status == null) {
            return new EgoiResult.MalformedBody(a.status(), json == null || !json.isObject() ? "not a JSON object"
                    : "no status field");
        }
        if (status.equalsIgnoreCase("Ok")) {
            String requestId = AnswerParts.text(json, "requestId");
            String problem = AnswerParts.idProblem("requestId", requestId);
            return problem != null ? new EgoiResult.MalformedBody(a.status(), "status Ok with " + problem)
                    : new EgoiResult.Sent(requestId);
        }
        return unrecognised("send", a.status(), status, null);
    }

    /** @param code the submitted code, so that it can be kept out of anything logged */
    EgoiResult validate(EgoiHttp.Answer a, String code) {
        EgoiResult transport = statusOnly(a, code);
        if (transport != null) {
            return transport;
        }
        JsonNode json = AnswerParts.json(a.body());
        String status = AnswerParts.text(json, "status");
        if (json == null || !json.isObject() || status == null) {
            return new EgoiResult.MalformedBody(a.status(), json == null || !json.isObject() ? "not a JSON object"
                    : "no status field");
        }
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
        return unrecognised("validate", a.status(), status, code);
    }

    /** 429, 5xx, redirects and 4xx, which need no body; null for a 2xx. */
    private EgoiResult statusOnly(EgoiHttp.Answer a, String code) {
        if (a.status() == 429) {
            return new EgoiResult.RateLimited(AnswerParts.retryAfter(a.retryAfter(), clock));
        }
        if (a.status() >= 500) {
            return new EgoiResult.ServerError(a.status());
        }
        if (AnswerParts.isRedirect(a.status())) {
            return AnswerParts.redirect(a.status());
        }
        if (a.status() < 200 || a.status() >= 300) {
            String status = AnswerParts.text(AnswerParts.json(a.body()), "status");
            if (code != null && wrongCodeStatus.equalsIgnoreCase(status)) {
                return new EgoiResult.WrongCode(wrongCodeStatus);
            }
            return new EgoiResult.Rejected(a.status(), AnswerParts.safe(status, code));
        }
        return null;
    }

    private EgoiResult unrecognised(String call, int http, String status, String code) {
        String shown = AnswerParts.safe(status, code);
        if (reported.first(call + " " + shown)) {
            LOG.warn("Unrecognised E-goi status '{}' on {} (HTTP {}); logged once per distinct status", shown, call,
                    http);
        }
        return new EgoiResult.UnrecognisedStatus(http, shown);
    }
}
