package io.egoiverify.worker.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** The two Verify calls as E-goi documents them, plus fault injection. Answers are computed, not yet written. */
final class SandboxApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NUMBER = Pattern.compile("\\d{1,3}-\\d{4,14}");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,6}");
    private static final Set<String> CODE_TYPES = Set.of("numeric", "alpha", "alphanumeric", "hex");

    /** A computed answer; {@code stall} = never answer, {@code drop} = close the connection without an answer. */
    record Reply(int status, Map<String, String> headers, String body, boolean stall, boolean drop) {
        static Reply json(int status, String body) {
            return new Reply(status, Map.of(), body, false, false);
        }

        static Reply status(int http, String status) {
            return json(http, JSON.createObjectNode().put("status", status).toString());
        }
    }

    private final SandboxLedger ledger;

    SandboxApi(SandboxLedger ledger) {
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
            ledger.countSend(number);
        }
        String error = checkSend(in);
        if (error != null) {
            return Reply.json(400, JSON.createObjectNode().put("status", "Invalid_Request").put("error", error)
                    .toString());
        }
        Drawn fault = draw(faults, number);
        if (fault.fault() == Fault.RATE_LIMITED) {
            return rateLimited(faults);
        }
        String requestId = ledger.send(str(in, "apikey"), number, str(in, "codeType"),
                Integer.parseInt(str(in, "codeSize")), Integer.parseInt(str(in, "codeTTL")), str(in, "message"));
        Reply ok = Reply.json(200, JSON.createObjectNode().put("requestId", requestId).put("status", "Ok").toString());
        return apply(fault, ok);
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
            ledger.countValidate(requestId);
        }
        if (apiKey == null || apiKey.isBlank() || requestId == null || code == null || code.isBlank()) {
            return Reply.json(400, JSON.createObjectNode().put("status", "Invalid_Request")
                    .put("error", "apikey, requestId and code are required JSON strings").toString());
        }
        Drawn fault = draw(faults, null);
        if (fault.fault() == Fault.RATE_LIMITED) {
            return rateLimited(faults);
        }
        String status = switch (ledger.validate(apiKey, requestId, code)) {
            case VERIFIED -> "Verified";
            case ALREADY_VERIFIED -> "Already_Verified";
            case EXPIRED -> "Expired";
            case WRONG_CODE -> EgoiSandbox.WRONG_CODE_STATUS;
            case NOT_FOUND -> null;
        };
        if (status == null) {
            return Reply.json(404, JSON.createObjectNode().put("requestId", requestId).put("status", "Not_Found")
                    .toString());
        }
        return apply(fault, Reply.json(200, JSON.createObjectNode().put("requestId", requestId)
                .put("status", status).toString()));
    }

    private enum Fault { NONE, STALL, DROP, MALFORMED, RATE_LIMITED, ERROR }

    /** One draw; {@code status} is the HTTP status for {@link Fault#ERROR}. */
    private record Drawn(Fault fault, int status) {
    }

    private static Drawn draw(Faults f, String number) {
        if (number != null && f.stalledNumbers().contains(number)) {
            return new Drawn(Fault.STALL, 0);
        }
        double r = ThreadLocalRandom.current().nextDouble();
        double[] rates = {f.timeoutRate(), f.dropRate(), f.malformedRate(), f.rateLimitRate()};
        Fault[] kinds = {Fault.STALL, Fault.DROP, Fault.MALFORMED, Fault.RATE_LIMITED};
        for (int i = 0; i < rates.length; i++) {
            if ((r -= rates[i]) < 0) {
                return new Drawn(kinds[i], 0);
            }
        }
        for (Map.Entry<Integer, Double> e : f.errorRates().entrySet()) {
            if ((r -= e.getValue()) < 0) {
                return new Drawn(Fault.ERROR, e.getKey());
            }
        }
        return new Drawn(Fault.NONE, 0);
    }

    private static Reply apply(Drawn drawn, Reply ok) {
        return switch (drawn.fault()) {
            case NONE, RATE_LIMITED -> ok;
            case STALL -> new Reply(0, Map.of(), "", true, false);
            case DROP -> new Reply(0, Map.of(), "", false, true);
            case MALFORMED -> Reply.json(200, "{\"requestId\": \"x\", \"status\": ");
            case ERROR -> Reply.json(drawn.status(), "{\"status\":\"Error\"}");
        };
    }

    private static Reply rateLimited(Faults faults) {
        return new Reply(429, Map.of("Retry-After", Integer.toString(faults.retryAfterSeconds())),
                "{\"status\":\"Too_Many_Requests\"}", false, false);
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

    private static ObjectNode object(byte[] body) throws IOException {
        JsonNode n = JSON.readTree(body);
        if (n == null || !n.isObject()) {
            throw new IOException("not a JSON object");
        }
        return (ObjectNode) n;
    }

    private static String str(ObjectNode in, String field) {
        JsonNode n = in.get(field);
        return n == null || !n.isTextual() ? null : n.asText();
    }
}
