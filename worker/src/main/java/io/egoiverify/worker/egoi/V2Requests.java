package io.egoiverify.worker.egoi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.net.URIBuilder;

/**
 * The V2 requests as E-goi's published spec (Transactional API V2) writes them: header {@code ApiKey}, paths under
 * {@code /v2/verify} and {@code /v2/sms/senders}, and the {@code VerifyRequest} body. Limits from the spec are enforced
 * before any call: {@code codeLength} at most 20, {@code codeValidity} at most 3600 s.
 */
final class V2Requests {
    static final int MAX_CODE_LENGTH = 20;
    static final int MAX_CODE_VALIDITY_SECONDS = (int) Dialect.V2.maxCodeValidity().orElseThrow().toSeconds();
    /** The contract's code types (lower-case) → V2's {@code codeType}. */
    private static final Map<String, String> CODE_TYPES = Map.of("numeric", "numeric", "alpha", "alpha",
            "alphanumeric", "alphanumeric", "hex", "hexa");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;

    V2Requests(URI baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** {@code POST /v2/verify/request}. */
    SimpleHttpRequest send(SenderProfile profile, SendRequest request) {
        if (profile.senderId() == null) {
            throw new InvalidRequestException("sender profile " + profile.name() + " has no sender-id, which the V2 "
                    + "dialect needs");
        }
        if (request.codeSize() > MAX_CODE_LENGTH) {
            throw new InvalidRequestException("codeSize " + request.codeSize() + " is above V2's maximum codeLength "
                    + MAX_CODE_LENGTH);
        }
        if (request.ttlSeconds() > MAX_CODE_VALIDITY_SECONDS) {
            throw new InvalidRequestException("ttlSeconds " + request.ttlSeconds() + " is above V2's maximum "
                    + "codeValidity " + MAX_CODE_VALIDITY_SECONDS);
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("senderId", profile.senderId());
        body.put("to", EgoiNumbers.fromE164(request.phoneNumber()));
        body.put("message", request.message().replace("{CODE}", "{{ code }}"));
        body.put("codeLength", request.codeSize());
        body.put("codeValidity", request.ttlSeconds());
        body.put("codeType", CODE_TYPES.get(request.codeType()));
        return SimpleRequestBuilder.post(uri("v2", "verify", "request"))
                .setBody(body.toString(), ContentType.APPLICATION_JSON)
                .addHeader("ApiKey", profile.apiKey()).addHeader("Accept", "application/json").build();
    }

    /** {@code POST /v2/verify/{id}/validate} with {@code {"code": ...}}. */
    SimpleHttpRequest validate(SenderProfile profile, String verifyId, String code) {
        if (code == null || code.isBlank()) {
            throw new InvalidRequestException("the code is required");
        }
        ObjectNode body = JSON.createObjectNode().put("code", code);
        return SimpleRequestBuilder.post(uri("v2", "verify", id(verifyId), "validate"))
                .setBody(body.toString(), ContentType.APPLICATION_JSON)
                .addHeader("ApiKey", profile.apiKey()).addHeader("Accept", "application/json").build();
    }

    /** {@code GET /v2/verify/{id}}. */
    SimpleHttpRequest status(SenderProfile profile, String verifyId) {
        return get(profile, uri("v2", "verify", id(verifyId)));
    }

    /** {@code POST /v2/verify/{id}/cancel} (no body). */
    SimpleHttpRequest cancel(SenderProfile profile, String verifyId) {
        return postEmpty(profile, uri("v2", "verify", id(verifyId), "cancel"));
    }

    /** {@code POST /v2/verify/{id}/resend} (no body). */
    SimpleHttpRequest resend(SenderProfile profile, String verifyId) {
        return postEmpty(profile, uri("v2", "verify", id(verifyId), "resend"));
    }

    /** {@code GET /v2/sms/senders}. */
    SimpleHttpRequest senders(SenderProfile profile) {
        return get(profile, uri("v2", "sms", "senders"));
    }

    private static SimpleHttpRequest get(SenderProfile profile, URI uri) {
        return SimpleRequestBuilder.get(uri).addHeader("ApiKey", profile.apiKey())
                .addHeader("Accept", "application/json").build();
    }

    private static SimpleHttpRequest postEmpty(SenderProfile profile, URI uri) {
        return SimpleRequestBuilder.post(uri).addHeader("ApiKey", profile.apiKey())
                .addHeader("Accept", "application/json").build();
    }

    private static String id(String verifyId) {
        if (verifyId == null || verifyId.isBlank()) {
            throw new InvalidRequestException("E-goi's verifyId is required");
        }
        return verifyId;
    }

    /** The base URL with {@code segments} appended, each percent-encoded as one path segment. */
    private URI uri(String... segments) {
        try {
            URIBuilder b = new URIBuilder(baseUrl);
            List<String> existing = b.getPathSegments().stream().filter(s -> !s.isEmpty()).toList();
            return b.setPathSegments(concat(existing, segments)).build();
        } catch (URISyntaxException e) {
            throw new InvalidRequestException("cannot build an E-goi URL: " + e.getReason());
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
