package io.egoiverify.e2e.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The E-goi sandbox's test endpoints over HTTP: outbox (the codes it "sent"), call counters, fault injection. The
 * sandbox keys numbers in E-goi form ({@code 351-910000000}).
 */
public final class SandboxClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public SandboxClient(String baseUrl) {
        this.base = baseUrl;
    }

    /** {@code +351910000000} → {@code 351-910000000} (country code of 3 digits, as every number these tests use). */
    public static String egoiForm(String e164) {
        String digits = e164.startsWith("+") ? e164.substring(1) : e164;
        return digits.substring(0, 3) + "-" + digits.substring(3);
    }

    /** E-goi requestId → code, for every SMS in the outbox. */
    public Map<String, String> codesByProviderRequestId() {
        Map<String, String> codes = new HashMap<>();
        for (JsonNode entry : get("/_sandbox/outbox")) {
            codes.put(entry.path("requestId").asText(), entry.path("code").asText());
        }
        return codes;
    }

    /** SMS that actually went out (the outbox), per number (E-goi form): a call answered 429 sends nothing. */
    public Map<String, Integer> smsByNumber() {
        Map<String, Integer> out = new HashMap<>();
        for (JsonNode entry : get("/_sandbox/outbox")) {
            out.merge(entry.path("number").asText(), 1, Integer::sum);
        }
        return out;
    }

    /**
     * Every code the outbox shows for a number ({@code +351...} or E-goi form), oldest first: one per SMS, so a
     * verification resent once shows two.
     */
    public List<String> codesSentTo(String number) {
        String egoi = number.startsWith("+") ? egoiForm(number) : number;
        List<String> codes = new ArrayList<>();
        for (JsonNode entry : get("/_sandbox/outbox")) {
            if (entry.path("number").asText().equals(egoi)) {
                codes.add(entry.path("code").asText());
            }
        }
        return codes;
    }

    /** V2 resend calls per E-goi id. */
    public Map<String, Integer> resendCallsByProviderRequestId() {
        Map<String, Integer> out = new HashMap<>();
        get("/_sandbox/counters").path("resendCallsByRequestId").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }

    public Optional<String> code(String providerRequestId) {
        return Optional.ofNullable(codesByProviderRequestId().get(providerRequestId));
    }

    /** Send calls per number (E-goi form), faults included. */
    public Map<String, Integer> sendCallsByNumber() {
        Map<String, Integer> out = new HashMap<>();
        get("/_sandbox/counters").path("sendCallsByNumber").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }

    /** Validate calls per E-goi requestId. */
    public Map<String, Integer> validateCallsByProviderRequestId() {
        Map<String, Integer> out = new HashMap<>();
        get("/_sandbox/counters").path("validateCallsByRequestId").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }

    /** V2 status calls per E-goi id. */
    public Map<String, Integer> statusCallsByProviderRequestId() {
        Map<String, Integer> out = new HashMap<>();
        get("/_sandbox/counters").path("statusCallsByRequestId").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }

    /** Sets faults, e.g. {@code {"errorRates":{"503":0.3},"timeoutRate":0.1}} (see the sandbox's FaultsJson). */
    public void faults(String json) {
        send(HttpRequest.newBuilder(URI.create(base + "/_sandbox/faults")).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** Forgets verifications, outbox, counters and faults (between benchmark steps: keeps the outbox small). */
    public void reset() {
        send(HttpRequest.newBuilder(URI.create(base + "/_sandbox/reset")).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    public void clearFaults() {
        send(HttpRequest.newBuilder(URI.create(base + "/_sandbox/faults")).timeout(Duration.ofSeconds(5)).DELETE()
                .build());
    }

    private JsonNode get(String path) {
        try {
            return JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5))
                    .GET().build()));
        } catch (IOException e) {
            throw new IllegalStateException("sandbox " + path + " answered non-JSON", e);
        }
    }

    private String send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("sandbox " + request.uri() + " answered " + response.statusCode()
                        + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("sandbox " + request.uri() + " unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
