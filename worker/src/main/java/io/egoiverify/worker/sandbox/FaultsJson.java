package io.egoiverify.worker.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * JSON form of {@link Faults} for {@code PUT /_sandbox/faults}; every field optional (absent = no fault):
 * <pre>{"latencyMinMs":50,"latencyMaxMs":150,"errorRates":{"500":0.3},"rateLimitRate":0.1,"retryAfterSeconds":1,
 *  "dropRate":0.05,"timeoutRate":0.1,"malformedRate":0.05,"stalledNumbers":["351-910000000"]}</pre>
 */
final class FaultsJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FaultsJson() {
    }

    static Faults read(byte[] body) throws IOException {
        JsonNode n = JSON.readTree(body);
        if (n == null || !n.isObject()) {
            throw new IOException("faults must be a JSON object");
        }
        Map<Integer, Double> errors = new HashMap<>();
        JsonNode er = n.path("errorRates");
        er.fieldNames().forEachRemaining(k -> errors.put(Integer.parseInt(k), er.get(k).asDouble()));
        Set<String> stalled = new HashSet<>();
        n.path("stalledNumbers").forEach(s -> stalled.add(s.asText()));
        long min = n.path("latencyMinMs").asLong(0);
        long max = n.path("latencyMaxMs").asLong(min);
        return new Faults(Duration.ofMillis(min), Duration.ofMillis(max), errors, n.path("rateLimitRate").asDouble(0),
                n.path("retryAfterSeconds").asInt(0), n.path("dropRate").asDouble(0), n.path("timeoutRate").asDouble(0),
                n.path("malformedRate").asDouble(0), stalled);
    }

    static ObjectNode write(Faults f) {
        ObjectNode n = JSON.createObjectNode();
        n.put("latencyMinMs", f.latencyMin().toMillis());
        n.put("latencyMaxMs", f.latencyMax().toMillis());
        ObjectNode er = n.putObject("errorRates");
        f.errorRates().forEach((k, v) -> er.put(Integer.toString(k), v));
        n.put("rateLimitRate", f.rateLimitRate());
        n.put("retryAfterSeconds", f.retryAfterSeconds());
        n.put("dropRate", f.dropRate());
        n.put("timeoutRate", f.timeoutRate());
        n.put("malformedRate", f.malformedRate());
        f.stalledNumbers().forEach(n.putArray("stalledNumbers")::add);
        return n;
    }
}
