package io.egoiverify.worker.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The sandbox's own endpoints under {@code /_sandbox/}: the outbox (with the codes: it is a test double), call
 * counters, faults, reset.
 */
final class SandboxAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Operations counted per key, as {@code <operation>CallsBy...} in the counters answer. */
    private static final String[] BY_ID = {"validate", "status", "cancel", "resend"};

    private final EgoiSandbox sandbox;
    private final SandboxLedger ledger;

    SandboxAdmin(EgoiSandbox sandbox, SandboxLedger ledger) {
        this.sandbox = sandbox;
        this.ledger = ledger;
    }

    Reply handle(String method, String path, byte[] body) {
        try {
            if (path.equals("/_sandbox/outbox") && method.equals("GET")) {
                ArrayNode list = JSON.createArrayNode();
                for (OutboxEntry e : ledger.outbox()) {
                    list.addObject().put("number", e.number()).put("text", e.text()).put("requestId", e.requestId())
                            .put("code", e.code()).put("sentAt", e.sentAt().toString());
                }
                return Reply.json(200, list.toString());
            }
            if (path.equals("/_sandbox/counters") && method.equals("GET")) {
                ObjectNode n = JSON.createObjectNode();
                n.set("sendCallsByNumber", JSON.valueToTree(ledger.calls("send")));
                for (String op : BY_ID) {
                    n.set(op + "CallsByRequestId", JSON.valueToTree(ledger.calls(op)));
                }
                return Reply.json(200, n.toString());
            }
            if (path.equals("/_sandbox/faults")) {
                switch (method) {
                    case "PUT" -> sandbox.setFaults(FaultsJson.read(body));
                    case "DELETE" -> sandbox.setFaults(Faults.none());
                    case "GET" -> { }
                    default -> {
                        return Reply.json(405, "{\"error\":\"GET, PUT or DELETE\"}");
                    }
                }
                return Reply.json(200, FaultsJson.write(sandbox.faults()).toString());
            }
            if (path.equals("/_sandbox/reset") && method.equals("POST")) {
                sandbox.reset();
                return Reply.json(200, "{}");
            }
            return Reply.json(404, "{\"error\":\"no such sandbox endpoint\"}");
        } catch (IOException | IllegalArgumentException e) {
            return Reply.json(400, JSON.createObjectNode().put("error", String.valueOf(e.getMessage())).toString());
        }
    }
}
