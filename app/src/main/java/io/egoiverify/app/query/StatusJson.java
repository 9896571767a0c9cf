package io.egoiverify.app.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.egoiverify.lifecycle.StatusView;
import java.time.Instant;

/** The status query's JSON: the contract's fields in its order, times as ISO-8601 UTC, null where they do not apply. */
final class StatusJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusJson() {
    }

    static String of(StatusView v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("requestId", v.requestId());
        n.put("status", v.status().name());
        n.put("phoneNumberMasked", v.phoneNumberMasked());
        n.put("sendCount", v.sendCount());
        n.put("expiresAt", time(v.expiresAt()));
        n.put("attemptsRemaining", v.attemptsRemaining());
        n.put("resendAvailableAt", time(v.resendAvailableAt()));
        n.put("terminal", v.terminal());
        return n.toString();
    }

    /** An answer that is not a status: {@code {"error": "..."}}. */
    static String error(String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        return n.toString();
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
