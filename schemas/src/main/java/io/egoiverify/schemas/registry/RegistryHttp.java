package io.egoiverify.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.ssl.SSLContexts;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of {@link HttpSchemaRegistryClient}: sends one request (trying each configured URL in turn on I/O
 * errors), and turns every answer that is not a success into the exception that tells a bad record from an outage.
 */
final class RegistryHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttp.class);
    private static final ContentType SCHEMA_REGISTRY_JSON =
            ContentType.create("application/vnd.schemaregistry.v1+json", StandardCharsets.UTF_8);
    private static final String ACCEPT = "application/vnd.schemaregistry.v1+json, application/json;q=0.9";
    private static final int MAX_BODY_IN_MESSAGE = 300;
    private static final String TLS_HINT = " (TLS: check " + RegistryTls.TRUSTSTORE_LOCATION
            + " (or .certificates) for the registry's CA, "
            + RegistryTls.KEYSTORE_LOCATION + " (or .key) if it asks for a client certificate, and "
            + RegistryTls.ENDPOINT_IDENTIFICATION_ALGORITHM + " if its certificate does not name the URL's host)";

    private final ObjectMapper json = new ObjectMapper();
    private final List<String> baseUrls;
    private final String authorization;
    private final CloseableHttpClient http;

    RegistryHttp(RegistryClientConfig config) {
        // Never put user-info into request URLs: credentials travel in the Authorization header only.
        this.baseUrls = config.urls().stream().map(RegistryClientConfig::redact).toList();
        this.authorization = config.basicAuthUserInfo() == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString(config.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout response = Timeout.of(config.responseTimeout());
        PoolingHttpClientConnectionManagerBuilder connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connect).setSocketTimeout(response).build())
                .setMaxConnTotal(16).setMaxConnPerRoute(16);
        if (!config.tls().isDefault()) {
            connections.setTlsSocketStrategy(tlsStrategy(config.tls()));
            if (config.urls().stream().noneMatch(u -> "https".equals(u.getScheme()))) {
                // the stores were read and are valid, but a plain-http registry never uses them
                LOG.warn("{}* are set but no {} URL is https: they have no effect ({})", RegistryTls.PREFIX,
                        RegistryClientConfig.SCHEMA_REGISTRY_URL, baseUrls);
            }
        }
        this.http = HttpClients.custom()
                .setConnectionManager(connections.build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(connect).setResponseTimeout(response).build())
                // Callers decide about retries (an outage surfaces as RegistryUnavailableException).
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableRedirectHandling()
                .build();
    }

    /**
     * The registry's own TLS: its trust and key stores (else the JVM's defaults, as HttpClient's default strategy
     * has) and, when {@code endpoint.identification.algorithm} is empty, no host name check by JSSE or HttpClient.
     */
    private static TlsSocketStrategy tlsStrategy(RegistryTls tls) {
        ClientTlsStrategyBuilder builder = ClientTlsStrategyBuilder.create()
                .setSslContext(tls.sslContext().orElseGet(SSLContexts::createDefault));
        if (!tls.verifyHostname()) {
            builder.setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT)
                    .setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
        }
        return builder.buildClassic();
    }

    JsonNode get(String path, String what) {
        return send(path, HttpGet::new, what);
    }

    JsonNode post(String path, Object body, String what) {
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode request body", e);
        }
        return send(path, uri -> {
            HttpPost post = new HttpPost(uri);
            post.setEntity(new StringEntity(text, SCHEMA_REGISTRY_JSON));
            return post;
        }, what);
    }

    private JsonNode send(String path, Function<String, HttpUriRequestBase> requestFor, String what) {
        IOException lastFailure = null;
        String lastBase = null;
        for (String base : baseUrls) {
            HttpUriRequestBase request = requestFor.apply(base + path);
            request.setHeader(HttpHeaders.ACCEPT, ACCEPT);
            if (authorization != null) {
                request.setHeader(HttpHeaders.AUTHORIZATION, authorization);
            }
            Reply reply;
            try {
                reply = http.execute(request, response -> new Reply(response.getCode(),
                        response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(),
                                StandardCharsets.UTF_8)));
            } catch (IOException e) {
                LOG.warn("schema registry {} cannot be reached for {}: {}", base, what, e.toString());
                lastFailure = e;
                lastBase = base;
                continue;
            }
            return interpret(reply, request.getMethod() + " " + base + path, what);
        }
        throw new RegistryUnavailableException("schema registry cannot be reached for " + what + " (tried "
                + baseUrls + "): " + lastFailure + (tlsLikely(lastBase, lastFailure) ? TLS_HINT : ""), lastFailure);
    }

    /**
     * A failed handshake, or a connection the registry dropped right after it: with TLS 1.3 a registry that wants a
     * client certificate refuses it after the client's handshake is done, so the client sees a broken pipe or a reset.
     */
    private static boolean tlsLikely(String base, IOException failure) {
        return base != null && base.startsWith("https:") && (failure instanceof SSLException
                || failure instanceof SocketException && !(failure instanceof ConnectException)
                && !(failure instanceof NoRouteToHostException));
    }

    private JsonNode interpret(Reply reply, String call, String what) {
        int status = reply.status;
        if (status >= 200 && status < 300) {
            try {
                return json.readTree(reply.body);
            } catch (IOException e) {
                throw new RegistryUnavailableException("schema registry answered " + call + " with unreadable JSON: "
                        + abbreviate(reply.body), e);
            }
        }
        int errorCode = errorCode(reply.body);
        String detail = " (HTTP " + status + (errorCode < 0 ? "" : ", error_code " + errorCode) + ": "
                + abbreviate(message(reply.body)) + ")";
        // 404 carrying a 404xx code is the registry's own "no such subject / version / schema". A bare 404 means the
        // URL is wrong (e.g. a missing /apis/ccompat/v7): a misconfiguration, so it must not dead-letter records.
        if (status == 404 && errorCode >= 40400 && errorCode < 40500) {
            throw new SchemaNotFoundException(what + " not found in the schema registry" + detail);
        }
        if (status == 409) {
            throw new IncompatibleSchemaException("schema registry refused " + what
                    + ": incompatible with the subject's earlier versions" + detail);
        }
        if (status == 422) {
            throw new InvalidSchemaException("schema registry rejected " + what + " as invalid" + detail, null);
        }
        if (status == 401 || status == 403) {
            throw new RegistryAccessDeniedException("schema registry denied " + what
                    + ": check basic.auth.user.info" + detail);
        }
        throw new RegistryUnavailableException("schema registry failed " + what + " at " + call + detail, null);
    }

    private int errorCode(String body) {
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.hasNonNull("error_code") ? node.get("error_code").asInt(-1) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private String message(String body) {
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.hasNonNull("message")) {
                return node.get("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: quote the body as it is
        }
        return body;
    }

    private static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_BODY_IN_MESSAGE ? oneLine : oneLine.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }

    @Override
    public void close() {
        http.close(CloseMode.GRACEFUL);
    }

    private record Reply(int status, String body) {
    }
}
