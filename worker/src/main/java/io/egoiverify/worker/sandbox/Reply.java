package io.egoiverify.worker.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * A computed answer, not yet written. {@code stall}: never answer (the client times out); {@code drop}: close the
 * connection without an answer.
 */
record Reply(int status, Map<String, String> headers, String body, boolean stall, boolean drop) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Reply json(int status, String body) {
        return new Reply(status, Map.of(), body, false, false);
    }

    /** The guide's style: {@code {"status": ...}}. */
    static Reply status(int http, String status) {
        return json(http, JSON.createObjectNode().put("status", status).toString());
    }

    /** V2's error body, as the spec writes it: {@code {type, title, status, detail}}. */
    static Reply problem(int http, String title, String detail) {
        ObjectNode n = JSON.createObjectNode()
                .put("type", "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html")
                .put("title", title).put("status", http).put("detail", detail);
        return json(http, n.toString());
    }

    static Reply stalled() {
        return new Reply(0, Map.of(), "", true, false);
    }

    static Reply dropped() {
        return new Reply(0, Map.of(), "", false, true);
    }

    Reply withHeader(String name, String value) {
        Map<String, String> h = new HashMap<>(headers);
        h.put(name, value);
        return new Reply(status, Map.copyOf(h), body, stall, drop);
    }
}
