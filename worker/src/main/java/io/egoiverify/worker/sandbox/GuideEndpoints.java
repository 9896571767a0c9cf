package io.egoiverify.worker.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The guide dialect's two calls, with the guide's payloads (the key in the body, numbers as strings, {@code {CODE}}).
 * A wrong code answers {@code Invalid_Code} (HTTP 200; the sandbox's own status: the guide names none) and keeps the
 * verification waiting. Answers are computed, not yet written.
 */
final class GuideEndpoints {
    /** The sandbox's own wrong-code status (E-goi's is not documented). */
    static final String WRONG_CODE_STATUS = "Invalid_Code";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NUMBER = Pattern.compile("\\d{1,3}-\\d{4,14}");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,6}");
    private static final Set<String> CODE_TYPES = Set.of("numeric", "alpha", "alphanumeric", "hex");
    private static final FaultDraw.ErrorStyle ERRORS = status -> status == 429
            ? Reply.status(429, "Too_Many_Requests") : Reply.status(status, "Error");

    private final SandboxLedger ledger;

    GuideEndpoints(SandboxLedger ledger) {
        this.ledger = ledger;
    }

    Reply send(byte[] body, Faults faults) {
        ObjectNode in;
        try {
            in = object(body);
        } catch (IOException e) {
            return Reply.status(400, "Invalid_Json");
        }
        String number = str(in, "number");
        if (number != null) {
            ledger.count("send", number);
        }
        String error = checkSend(in);
        if (error != null) {
            return Reply.json(400, JSON.createObjectNode().put("status", "Invalid_Request").put("error", error)
                    .toString());
        }
        FaultDraw fault = FaultDraw.of(faults, number);
        if (fault.notProcessed()) {
            return fault.apply(null, faults, ERRORS);
        }
        String requestId = ledger.send(str(in, "apikey"), number, null, new SandboxLedger.CodeSpec(
                str(in, "codeType"), Integer.parseInt(str(in, "codeSize")), Integer.parseInt(str(in, "codeTTL")),
                str(in, "message"), "{CODE}"));
        Reply ok = Reply.json(200, JSON.createObjectNode().put("requestId", requestId).put("status", "Ok").toString());
        return fault.apply(ok, faults, ERRORS);
    }

    Reply validate(byte[] body, Faults faults) {
        ObjectNode in;
        try {
            in = object(body);
        } catch (IOException e) {
            return Reply.status(400, "Invalid_Json");
        }
        String apiKey = str(in, "apikey");
        String requestId = str(in, "requestId");
        String code = str(in, "code");
        if (requestId != null) {
            ledger.count("validate", requestId);
        }
        if (apiKey == null || apiKey.isBlank() || requestId == null || code == null || code.isBlank()) {
            return Reply.json(400, JSON.createObjectNode().put("status", "Invalid_Request")
                    .put("error", "apikey, requestId and code are required JSON strings").toString());
        }
        FaultDraw fault = FaultDraw.of(faults, null);
        if (fault.notProcessed()) {
            return fault.apply(null, faults, ERRORS);
        }
        String status = switch (ledger.validate(apiKey, requestId, code)) {
            case VERIFIED -> "Verified";
            case ALREADY_VERIFIED -> "Already_Verified";
            case EXPIRED -> "Expired";
            case WRONG_CODE -> WRONG_CODE_STATUS;
            case CANCELED, NOT_FOUND -> null;
        };
        if (status == null) {
            return Reply.json(404, JSON.createObjectNode().put("requestId", requestId).put("status", "Not_Found")
                    .toString());
        }
        return fault.apply(Reply.json(200, JSON.createObjectNode().put("requestId", requestId)
                .put("status", status).toString()), faults, ERRORS);
    }

    private static String checkSend(ObjectNode in) {
        for (String field : new String[] {"apikey", "number", "senderHash", "codeType", "codeSize", "codeTTL",
                "message"}) {
            JsonNode n = in.get(field);
            if (n == null || !n.isTextual() || n.asText().isBlank()) {
                return field + " is required and must be a JSON string";
            }
        }
        if (in.has("group") && !in.get("group").isTextual()) {
            return "group must be a JSON string";
        }
        if (!NUMBER.matcher(str(in, "number")).matches()) {
            return "number must look like 351-910000000";
        }
        if (!CODE_TYPES.contains(str(in, "codeType"))) {
            return "codeType must be numeric, alpha, alphanumeric or hex";
        }
        if (!DIGITS.matcher(str(in, "codeSize")).matches() || Integer.parseInt(str(in, "codeSize")) < 1
                || Integer.parseInt(str(in, "codeSize")) > 32) {
            return "codeSize must be 1..32";
        }
        if (!DIGITS.matcher(str(in, "codeTTL")).matches() || Integer.parseInt(str(in, "codeTTL")) < 1) {
            return "codeTTL must be a positive number of seconds";
        }
        if (!str(in, "message").contains("{CODE}")) {
            return "message must contain {CODE}";
        }
        return null;
    }

    static ObjectNode object(byte[] body) throws IOException {
        JsonNode n = JSON.readTree(body);
        if (n == null || !n.isObject()) {
            throw new IOException("not a JSON object");
        }
        return (ObjectNode) n;
    }

    static String str(ObjectNode in, String field) {
        JsonNode n = in.get(field);
        return n == null || !n.isTextual() ? null : n.asText();
    }
}
