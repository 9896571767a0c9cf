package io.egoiverify.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sandbox's own HTTP surface: both dialects' strict JSON, V2's answer codes, and the admin endpoints. */
@Timeout(30)
class EgoiSandboxTest {
    static EgoiSandbox sandbox;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start() throws Exception {
        sandbox = new EgoiSandbox(Clock.systemUTC(), SandboxOptions.defaults().withApiKey("good"))
                .start("127.0.0.1", 0);
    }

    @BeforeEach
    void reset() {
        sandbox.reset();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, null);
    }

    static HttpResponse<String> call(String method, String path, String body, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sandbox.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header("ApiKey", apiKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void v2AnswersTheSpecsCodesWithItsErrorBody() throws Exception {
        String send = "{\"senderId\":\"1\",\"to\":\"351-910000000\",\"message\":\"Code {{ code }}\"}";
        HttpResponse<String> noKey = call("POST", "/api/v2/verify/request", send);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.body()).contains("\"type\":").contains("\"title\":\"Unauthorized\"")
                .contains("\"status\":401").contains("\"detail\":");
        assertThat(call("POST", "/api/v2/verify/request", send, "bad").statusCode()).isEqualTo(403);
        assertThat(call("POST", "/api/v2/verify/request", "{\"to\":\"351-910000000\"}", "good").statusCode())
                .isEqualTo(400);
        assertThat(call("POST", "/api/v2/verify/request", "{\"senderId\":\"1\"}", "good").statusCode())
                .isEqualTo(400);
        HttpResponse<String> created = call("POST", "/api/v2/verify/request", send, "good");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).matches("\\{\"verifyId\":\"[0-9a-f]{32}\"}");
        String id = created.body().replaceAll(".*\"verifyId\":\"([0-9a-f]+)\".*", "$1");
        assertThat(call("GET", "/api/v2/verify/" + id, null, "good").body()).contains("\"status\":\"pending\"")
                .contains("\"code\":");
        assertThat(call("GET", "/api/v2/verify/nope", null, "good").statusCode()).isEqualTo(404);
        assertThat(call("POST", "/api/v2/verify/" + id + "/resend", null, "good").body())
                .isEqualTo("[{\"verifyId\":\"" + id + "\"}]");
        assertThat(call("POST", "/api/v2/verify/" + id + "/cancel", null, "good").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/v2/verify/" + id, null, "good").body()).contains("\"status\":\"canceled\"");
        assertThat(call("GET", "/api/v2/sms/senders", null, "good").body()).contains("\"senderStatus\":\"active\"");
        assertThat(call("DELETE", "/api/v2/sms/senders", null, "good").statusCode()).isEqualTo(405);
        assertThat(call("GET", "/_sandbox/counters", null).body()).contains("\"cancelCallsByRequestId\":{\"" + id
                + "\":1}").contains("\"resendCallsByRequestId\":{\"" + id + "\":1}");
        assertThat(sandbox.outbox()).filteredOn(e -> e.requestId().equals(id)).hasSize(2);
    }

    @Test
    void faultsCanBeSetReadAndClearedOverHttp() throws Exception {
        HttpResponse<String> put = call("PUT", "/_sandbox/faults", """
                {"latencyMinMs":5,"latencyMaxMs":10,"errorRates":{"503":0.25},"rateLimitRate":0.1,
                 "retryAfterSeconds":2,"dropRate":0.05,"timeoutRate":0.1,"malformedRate":0.05,
                 "stalledNumbers":["351-910000000"]}""");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(sandbox.faults().errorRates()).containsEntry(503, 0.25);
        assertThat(sandbox.faults().stalledNumbers()).containsExactly("351-910000000");
        assertThat(call("GET", "/_sandbox/faults", null).body()).contains("\"503\":0.25");
        assertThat(call("DELETE", "/_sandbox/faults", null).statusCode()).isEqualTo(200);
        assertThat(sandbox.faults()).isEqualTo(Faults.none());
    }

    @Test
    void impossibleFaultsAreRefused() throws Exception {
        assertThat(call("PUT", "/_sandbox/faults", "{\"timeoutRate\":0.8,\"dropRate\":0.5}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void sendRequiresNumbersAsJsonStringsAndTheCodePlaceholder() throws Exception {
        String base = "/api/public/sms/2fa/send";
        assertThat(call("POST", base, """
                {"apikey":"k","number":"351-910000000","senderHash":"s","codeType":"numeric","codeSize":4,
                 "codeTTL":"60","message":"{CODE}"}""").statusCode()).isEqualTo(400);
        assertThat(call("POST", base, """
                {"apikey":"k","number":"351-910000000","senderHash":"s","codeType":"numeric","codeSize":"4",
                 "codeTTL":"60","message":"no code"}""").statusCode()).isEqualTo(400);
        HttpResponse<String> ok = call("POST", base, """
                {"apikey":"k","number":"351-910000000","senderHash":"s","codeType":"numeric","codeSize":"4",
                 "codeTTL":"60","message":"{CODE}"}""");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"status\":\"Ok\"").containsPattern("\"requestId\":\"[0-9a-f]{32}\"");
        assertThat(call("GET", "/_sandbox/outbox", null).body()).contains("351-910000000");
        assertThat(call("GET", "/_sandbox/counters", null).body()).contains("\"351-910000000\":3");
        assertThat(call("POST", "/_sandbox/reset", null).statusCode()).isEqualTo(200);
        assertThat(sandbox.outbox()).isEmpty();
    }
}
