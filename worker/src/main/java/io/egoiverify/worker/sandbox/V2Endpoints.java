package io.egoiverify.worker.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * E-goi's published Verify calls (Transactional API V2) under {@code /api/v2}, with the spec's answer codes and error
 * body {@code {type, title, status, detail}}: 201 on send, 400 without {@code senderId}/{@code to} (or with a sender
 * the account does not have, or not active), 401 without {@code ApiKey}, 403 for a key the account does not accept,
 * 404 for an unknown id. The spec does not say how a wrong code is answered: the sandbox answers it exactly like a
 * right one (200 with the id), the most ambiguous reading, so the client's reconciliation through the status call is
 * always exercised; a code that can no longer be validated (expired, cancelled, verified) answers 400.
 */
final class V2Endpoints {
    static final String PREFIX = "/api/v2";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TO = Pattern.compile("\\d{1,3}-\\d{4,14}");
    private static final Pattern ID_CALL = Pattern.compile("/verify/([^/]+)(/validate|/cancel|/resend)?");
    private static final Map<String, String> CODE_TYPES = Map.of("numeric", "numeric", "alpha", "alpha",
            "alphanumeric", "alphanumeric", "hexa", "hexa");
    private static final FaultDraw.ErrorStyle ERRORS = V2Endpoints::error;

    private final SandboxLedger ledger;
    private final SandboxOptions options;

    V2Endpoints(SandboxLedger ledger, SandboxOptions options) {
        this.ledger = ledger;
        this.options = options;
    }

    /** @param path the path after {@link #PREFIX} */
    Reply handle(String method, String path, String apiKey, byte[] body, Faults faults) {
        if (apiKey == null || apiKey.isBlank()) {
            return Reply.problem(401, "Unauthorized", "The ApiKey is not present in the request");
        }
        if (!options.apiKeys().isEmpty() && !options.apiKeys().contains(apiKey)) {
            return Reply.problem(403, "Forbidden", "The ApiKey doesn't allow you to make that request");
        }
        if (path.equals("/verify/request")) {
            return method.equals("POST") ? send(apiKey, body, faults) : notAllowed();
        }
        if (path.equals("/sms/senders")) {
            return method.equals("GET") ? senders(faults) : notAllowed();
        }
        Matcher m = ID_CALL.matcher(path);
        if (!m.matches()) {
            return Reply.problem(404, "Not Found", "no such call");
        }
        String id = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        String call = m.group(2) == null ? "" : m.group(2);
        boolean allowed = call.isEmpty() ? method.equals("GET") : method.equals("POST");
        if (!allowed) {
            return notAllowed();
        }
        return switch (call) {
            case "/validate" -> validate(apiKey, id, body, faults);
            case "/cancel" -> cancel(apiKey, id, faults);
            case "/resend" -> resend(apiKey, id, faults);
            default -> status(apiKey, id, faults);
        };
    }

    private Reply send(String apiKey, byte[] body, Faults faults) {
        ObjectNode in;
        try {
            in = GuideEndpoints.object(body);
        } catch (IOException e) {
            return bad("the body must be a JSON object");
        }
        String to = GuideEndpoints.str(in, "to");
        if (to != null) {
            ledger.count("send", to);
        }
        String senderId = GuideEndpoints.str(in, "senderId");
        if (senderId == null || senderId.isBlank() || to == null || to.isBlank()) {
            return bad("senderId and to are required");
        }
        if (!TO.matcher(to).matches()) {
            return bad("to must be countryCode-phoneNumber, e.g. 351-987654321");
        }
        Optional<SandboxOptions.Sender> sender = options.senders().stream().filter(s -> s.id().equals(senderId))
                .findFirst();
        if (sender.isEmpty() || !sender.get().active()) {
            return bad("senderId " + senderId + (sender.isEmpty() ? " is not a sender of this account"
                    : " is not active"));
        }
        Integer length = intField(in, "codeLength", 6, 1, 20);
        Integer validity = intField(in, "codeValidity", 600, 1, 3600);
        String type = in.has("codeType") ? CODE_TYPES.get(String.valueOf(GuideEndpoints.str(in, "codeType")))
                : "numeric";
        if (length == null || validity == null || type == null) {
            return bad("codeLength must be 1..20, codeValidity 1..3600, codeType numeric, alpha, alphanumeric or hexa");
        }
        String message = in.has("message") ? GuideEndpoints.str(in, "message") : "";
        if (message == null) {
            return bad("message must be a string");
        }
        FaultDraw fault = FaultDraw.of(faults, to);
        if (fault.notProcessed()) {
            return fault.apply(null, faults, ERRORS);
        }
        String id = ledger.send(apiKey, to, senderId, new SandboxLedger.CodeSpec(type, length, validity, message,
                "{{ code }}"));
        return fault.apply(Reply.json(201, JSON.createObjectNode().put("verifyId", id).toString()), faults, ERRORS);
    }

    private Reply validate(String apiKey, String id, byte[] body, Faults faults) {
        ledger.count("validate", id);
        String code;
        try {
            code = GuideEndpoints.str(GuideEndpoints.object(body), "code");
        } catch (IOException e) {
            code = null;
        }
        if (code == null || code.isBlank()) {
            return bad("code is required");
        }
        FaultDraw fault = FaultDraw.of(faults, null);
        if (fault.notProcessed()) {
            return fault.apply(null, faults, ERRORS);
        }
        Reply reply = switch (ledger.validate(apiKey, id, code)) {
            case VERIFIED, WRONG_CODE -> ids(200, id);
            case ALREADY_VERIFIED -> bad("the verification is already verified");
            case EXPIRED -> bad("the code expired");
            case CANCELED -> bad("the verification is cancelled");
            case NOT_FOUND -> notFound();
        };
        return fault.apply(reply, faults, ERRORS);
    }

    private Reply status(String apiKey, String id, Faults faults) {
        ledger.count("status", id);
        FaultDraw fault = FaultDraw.of(faults, null);
        if (fault.notProcessed()) {
            return fault.apply(null, faults, ERRORS);
        }
        Reply reply = ledger.status(apiKey, id).map(v -> Reply.json(200, JSON.createObjectNode().put("id", v.id())
                .put("messageId", v.messageId()).put("senderId", v.senderId()).put("recipientNumber", v.number())
                .put("code", v.code()).put("codeTTL", v.ttlSeconds())
                .put("status", v.state().name().toLowerCase(Locale.ROOT))
                .put("createDate", v.createdAt().toString()).put("message", v.text()).toString()))
                .orElseGet(V2Endpoints::notFound);
        return fault.apply(reply, faults, ERRORS);
    }

    private Reply cancel(String apiKey, String id, Faults faults) {
        ledger.count("cancel", id);
        FaultDraw fault = FaultDraw.of(faults, null);
        if (fault.notProcessed()) {
            return fault.apply(null, faults, ERRORS);
        }
        Reply reply = ledger.cancel(apiKey, id).map(before -> before == SandboxLedger.State.VERIFIED
                ? bad("the verification is already verified") : ids(200, id)).orElseGet(V2Endpoints::notFound);
        return fault.apply(reply, faults, ERRORS);
    }

    private Reply resend(String apiKey, String id, Faults faults) {
        ledger.count("resend", id);
        FaultDraw fault = FaultDraw.of(faults, null);
        if (fault.notProcessed()) {
            return fault.apply(null, faults, ERRORS);
        }
        Reply reply = ledger.resend(apiKey, id).map(before -> switch (before) {
            case PENDING, EXPIRED -> ids(200, id);
            case VERIFIED -> bad("the verification is already verified");
            case CANCELED -> bad("the verification is cancelled");
        }).orElseGet(V2Endpoints::notFound);
        return fault.apply(reply, faults, ERRORS);
    }

    private Reply senders(Faults faults) {
        FaultDraw fault = FaultDraw.of(faults, null);
        if (fault.notProcessed()) {
            return fault.apply(null, faults, ERRORS);
        }
        ArrayNode list = JSON.createArrayNode();
        for (SandboxOptions.Sender s : options.senders()) {
            list.addObject().put("id", s.id()).put("name", s.name()).put("phoneNumber", s.phoneNumber())
                    .put("senderStatus", s.status());
        }
        return fault.apply(Reply.json(200, list.toString()), faults, ERRORS);
    }

    private static Integer intField(ObjectNode in, String field, int dflt, int min, int max) {
        JsonNode n = in.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isInt() || n.asInt() < min || n.asInt() > max) {
            return null;
        }
        return n.asInt();
    }

    private static Reply ids(int status, String id) {
        ArrayNode list = JSON.createArrayNode();
        list.addObject().put("verifyId", id);
        return Reply.json(status, list.toString());
    }

    static Reply error(int status) {
        return switch (status) {
            case 429 -> Reply.problem(429, "Too Many Requests", "Slow down");
            case 500 -> Reply.problem(500, "Internal Server Error", "The API ran into an error");
            case 503 -> Reply.problem(503, "Service Unavailable", "The API is not available; try again later");
            default -> Reply.problem(status, "Error", "Injected error " + status);
        };
    }

    private static Reply bad(String detail) {
        return Reply.problem(400, "Bad Request", detail);
    }

    private static Reply notFound() {
        return Reply.problem(404, "Not Found", "The requested object was not found");
    }

    private static Reply notAllowed() {
        return Reply.problem(405, "Method Not Allowed", "method not allowed for this path");
    }
}
