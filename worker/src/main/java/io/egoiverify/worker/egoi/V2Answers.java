package io.egoiverify.worker.egoi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the V2 answers. The spec documents 201 {@code {verifyId}} for a send, 200 with a list of {@code {verifyId}} for
 * validate, cancel and resend, 200 {@code CheckVerifyResponse} for the status call, errors as
 * {@code {type, title, status, detail}}. It does not say how a wrong code is answered, so a validate answer is taken as
 * "verified" only when it says so itself (a {@code status} the table reads as verified); anything else is
 * {@link EgoiResult.Unconfirmed} and the status call decides. The status answer carries the code itself: it is never
 * logged, stored or returned, only used to keep it out of a logged status.
 */
final class V2Answers {
    private static final Logger LOG = LoggerFactory.getLogger(V2Answers.class);
    /** Distinct unknown statuses logged at most once each; bounded so a misbehaving E-goi cannot grow it forever. */
    private static final int MAX_REPORTED = 256;

    private final StatusTable statuses;
    private final Clock clock;
    private final FirstSightings reported = new FirstSightings(MAX_REPORTED);

    V2Answers(StatusTable statuses, Clock clock) {
        this.statuses = statuses;
        this.clock = clock;
    }

    EgoiResult send(EgoiHttp.Answer a) {
        EgoiResult error = error(a, null);
        if (error != null) {
            return error;
        }
        JsonNode json = AnswerParts.json(a.body());
        String id = AnswerParts.text(first(json), "verifyId");
        if (json == null) {
            return new EgoiResult.MalformedBody(a.status(), "not JSON");
        }
        String problem = AnswerParts.idProblem("verifyId", id);
        return problem != null ? new EgoiResult.MalformedBody(a.status(), problem) : new EgoiResult.Sent(id);
    }

    /** @param code the submitted code, kept out of anything logged */
    EgoiResult validate(EgoiHttp.Answer a, String code) {
        if (a.status() == 429 || a.status() >= 500 || a.status() == 401 || a.status() == 403
                || AnswerParts.isRedirect(a.status())) {
            return error(a, code);
        }
        if (a.status() >= 200 && a.status() < 300) {
            JsonNode json = AnswerParts.json(a.body());
            if (json == null) {
                // not the spec's JSON list (e.g. a proxy's HTML page): nothing says E-goi saw the code, so a pending
                // status must not be read as a wrong code
                return new EgoiResult.MalformedBody(a.status(), "not JSON");
            }
            String status = AnswerParts.text(first(json), "status");
            if (statuses.meaning(status).filter(m -> m == StatusTable.Meaning.VERIFIED).isPresent()) {
                return new EgoiResult.Verified();
            }
        }
        // 200 with the id (right or wrong code alike?), 400, 404, ...: only the status call can tell
        return new EgoiResult.Unconfirmed(a.status());
    }

    /** @param code the submitted code (or null), kept out of anything logged, like the code in the answer */
    EgoiResult status(EgoiHttp.Answer a, String code) {
        EgoiResult error = error(a, code);
        if (error != null) {
            return error;
        }
        JsonNode json = AnswerParts.json(a.body());
        if (json == null || !json.isObject()) {
            return new EgoiResult.MalformedBody(a.status(), "not a JSON object");
        }
        String status = AnswerParts.text(json, "status");
        if (status == null) {
            return new EgoiResult.MalformedBody(a.status(), "no status field");
        }
        Optional<StatusTable.Meaning> meaning = statuses.meaning(status);
        if (meaning.isEmpty()) {
            String shown = AnswerParts.safe(status, code, AnswerParts.text(json, "code"));
            if (reported.first(shown)) {
                LOG.warn("Unknown E-goi verify status '{}' (HTTP {}); known: {}. The check ends unjudged; map it with "
                        + "the egoi.v2.status.* settings", shown, a.status(), statuses.known());
            }
            return new EgoiResult.UnrecognisedStatus(a.status(), shown);
        }
        return switch (meaning.get()) {
            case VERIFIED -> new EgoiResult.Verified();
            case PENDING -> new EgoiResult.Pending(AnswerParts.safe(status, code));
            case EXPIRED -> new EgoiResult.Expired();
            case CANCELLED -> new EgoiResult.Cancelled();
        };
    }

    EgoiResult cancel(EgoiHttp.Answer a) {
        EgoiResult error = error(a, null);
        return error != null ? error : new EgoiResult.Cancelled();
    }

    /** A resend answered 2xx: the id E-goi names, or none (the old one stays). */
    EgoiResult resend(EgoiHttp.Answer a) {
        EgoiResult error = error(a, null);
        if (error != null) {
            return error;
        }
        if (a.body() == null || a.body().length == 0) {
            return new EgoiResult.Sent(null);
        }
        JsonNode json = AnswerParts.json(a.body());
        if (json == null) {
            return new EgoiResult.MalformedBody(a.status(), "not JSON");
        }
        String id = AnswerParts.text(first(json), "verifyId");
        if (id == null || id.isBlank()) {
            return new EgoiResult.Sent(null);
        }
        String problem = AnswerParts.idProblem("verifyId", id);
        return problem != null ? new EgoiResult.MalformedBody(a.status(), problem) : new EgoiResult.Sent(id);
    }

    EgoiResult senders(EgoiHttp.Answer a) {
        EgoiResult error = error(a, null);
        if (error != null) {
            return error;
        }
        JsonNode json = AnswerParts.json(a.body());
        if (json == null || !json.isArray()) {
            return new EgoiResult.MalformedBody(a.status(), "not a JSON list");
        }
        List<EgoiResult.Sender> senders = new ArrayList<>();
        for (JsonNode s : json) {
            senders.add(new EgoiResult.Sender(AnswerParts.text(s, "id"), AnswerParts.text(s, "name"),
                    AnswerParts.text(s, "phoneNumber"), AnswerParts.text(s, "senderStatus")));
        }
        return new EgoiResult.Senders(senders);
    }

    /**
     * 429, 5xx, redirects and other non-2xx answers; null for a 2xx. The problem's {@code title} only: its detail is
     * free text.
     */
    private EgoiResult error(EgoiHttp.Answer a, String code) {
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
            return new EgoiResult.Rejected(a.status(),
                    AnswerParts.safe(AnswerParts.text(AnswerParts.json(a.body()), "title"), code));
        }
        return null;
    }

    /** The object itself, or the first element of a list (validate, cancel and resend answer a list). */
    private static JsonNode first(JsonNode json) {
        return json != null && json.isArray() && !json.isEmpty() ? json.get(0) : json;
    }
}
