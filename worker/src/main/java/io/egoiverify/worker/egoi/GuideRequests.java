package io.egoiverify.worker.egoi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.core5.http.ContentType;

/**
 * The guide dialect's two requests, exactly as E-goi's guide writes the payloads: the key in the body, numbers as JSON
 * strings, {@code {CODE}} in the message. The paths are assumptions ({@link EgoiConfig.GuideAssumptions}).
 */
final class GuideRequests {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI sendUri;
    private final URI validateUri;

    GuideRequests(URI baseUrl, EgoiConfig.GuideAssumptions paths) {
        this.sendUri = join(baseUrl, paths.sendPath());
        this.validateUri = join(baseUrl, paths.validatePath());
    }

    /** @throws InvalidRequestException when the profile has no senderHash or the number is not E.164 */
    SimpleHttpRequest send(SenderProfile profile, SendRequest request) {
        if (profile.senderHash() == null) {
            throw new InvalidRequestException("sender profile " + profile.name() + " has no sender-hash, which the "
                    + "guide dialect needs");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("apikey", profile.apiKey());
        body.put("number", EgoiNumbers.fromE164(request.phoneNumber()));
        body.put("senderHash", profile.senderHash());
        body.put("codeType", request.codeType());
        body.put("codeSize", Integer.toString(request.codeSize()));
        String group = request.group() != null ? request.group() : profile.defaultGroup();
        if (group != null) {
            body.put("group", group);
        }
        body.put("codeTTL", Integer.toString(request.ttlSeconds()));
        body.put("message", request.message());
        return post(sendUri, body);
    }

    /** @throws InvalidRequestException when the id or the code is blank */
    SimpleHttpRequest validate(SenderProfile profile, String providerRequestId, String code) {
        if (providerRequestId == null || providerRequestId.isBlank() || code == null || code.isBlank()) {
            throw new InvalidRequestException("requestId and code are required");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("apikey", profile.apiKey());
        body.put("requestId", providerRequestId);
        body.put("code", code);
        return post(validateUri, body);
    }

    private static SimpleHttpRequest post(URI uri, ObjectNode body) {
        return SimpleRequestBuilder.post(uri)
                .setBody(body.toString(), ContentType.APPLICATION_JSON)
                .addHeader("Accept", "application/json")
                .build();
    }

    static URI join(URI baseUrl, String path) {
        String base = baseUrl.toString();
        return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) + path : base + path);
    }
}
