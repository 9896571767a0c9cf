package io.egoiverify.worker.egoi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The V2 dialect against WireMock: the exact requests E-goi's published spec describes, and one test per answer the
 * spec documents (201, 200, 400, 401, 403, 404, 500) plus 429.
 */
@Timeout(60)
class V2ClientWireMockTest {
    static final SenderProfile PROFILE = new SenderProfile("default", "the-key", "hash-unused", "1234", "group-unused");
    static final String ID = "bcc3f46527d44408b434ebc24c229a49";
    static WireMockServer wm;
    static EgoiClient client;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.V2, URI.create("http://127.0.0.1:" + wm.port() + "/api"))
                // loose enough for a loaded 2-core CI machine (600 ms timed out a plain answer at load 12)
                .withTransport(new EgoiConfig.Transport(Duration.ofSeconds(2), Duration.ofSeconds(3), 16, 1)));
    }

    @AfterAll
    static void stop() {
        client.close();
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static ResponseDefinitionBuilder problem(int status, String title) {
        return json(status, "{\"type\":\"https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html\",\"title\":\"" + title
                + "\",\"status\":" + status + ",\"detail\":\"details for 351-910000000\"}");
    }

    static void onSend(ResponseDefinitionBuilder r) {
        wm.stubFor(post(urlEqualTo("/api/v2/verify/request")).willReturn(r));
    }

    static EgoiResult await(CompletableFuture<EgoiResult> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    static EgoiResult send() throws Exception {
        return await(client.send(PROFILE, new SendRequest("+351910000000", "hex", 8, 300, "Code: {CODE}. Bye {CODE}",
                "2FA")));
    }

    @Test
    void sendPostsTheSpecsVerifyRequestWithTheKeyInTheApiKeyHeader() throws Exception {
        onSend(json(201, "{\"verifyId\":\"" + ID + "\"}"));
        assertThat(send()).isEqualTo(new EgoiResult.Sent(ID));
        wm.verify(postRequestedFor(urlEqualTo("/api/v2/verify/request"))
                .withHeader("ApiKey", equalTo("the-key"))
                .withHeader("Content-Type", com.github.tomakehurst.wiremock.client.WireMock.containing("json"))
                .withRequestBody(equalToJson("""
                        {"senderId":"1234","to":"351-910000000","message":"Code: {{ code }}. Bye {{ code }}",
                         "codeLength":8,"codeValidity":300,"codeType":"hexa"}""")));
        // the key travels only in the header; the guide's fields and group have no place in V2
        assertThat(wm.getAllServeEvents().get(0).getRequest().getBodyAsString()).doesNotContain("the-key")
                .doesNotContain("group").doesNotContain("senderHash");
    }

    @Test
    void validatePostsTheCodeAndAnswer200IsNotAVerdict() throws Exception {
        wm.stubFor(post(urlEqualTo("/api/v2/verify/" + ID + "/validate"))
                .willReturn(json(200, "[{\"verifyId\":\"" + ID + "\"}]")));
        assertThat(await(client.validate(PROFILE, ID, "1234"))).isEqualTo(new EgoiResult.Unconfirmed(200));
        wm.verify(postRequestedFor(urlEqualTo("/api/v2/verify/" + ID + "/validate"))
                .withHeader("ApiKey", equalTo("the-key")).withRequestBody(equalToJson("{\"code\":\"1234\"}")));
    }

    @Test
    void statusGetsTheVerificationAndReadsOnlyItsStatus() throws Exception {
        wm.stubFor(get(urlEqualTo("/api/v2/verify/" + ID)).willReturn(json(200, """
                {"id":"%s","messageId":"1","senderId":"1234","recipientNumber":"351-910000000","code":"4821",
                 "codeTTL":600,"status":"pending","createDate":"2020-03-06T11:57:34Z","message":"Code 4821"}"""
                .formatted(ID))));
        EgoiResult r = await(client.status(PROFILE, ID));
        assertThat(r).isEqualTo(new EgoiResult.Pending("pending"));
        assertThat(r.toString()).doesNotContain("4821").doesNotContain("910000000");
        wm.verify(getRequestedFor(urlEqualTo("/api/v2/verify/" + ID)).withHeader("ApiKey", equalTo("the-key")));
    }

    @Test
    void cancelAndResendPostWithoutABody() throws Exception {
        wm.stubFor(post(urlEqualTo("/api/v2/verify/" + ID + "/cancel")).willReturn(json(200,
                "[{\"verifyId\":\"" + ID + "\"}]")));
        wm.stubFor(post(urlEqualTo("/api/v2/verify/" + ID + "/resend")).willReturn(json(200,
                "[{\"verifyId\":\"other\"}]")));
        assertThat(await(client.cancel(PROFILE, ID))).isEqualTo(new EgoiResult.Cancelled());
        assertThat(await(client.resend(PROFILE, ID))).isEqualTo(new EgoiResult.Sent("other"));
        wm.verify(postRequestedFor(urlEqualTo("/api/v2/verify/" + ID + "/cancel"))
                .withHeader("ApiKey", equalTo("the-key")).withRequestBody(absent()));
        wm.verify(postRequestedFor(urlEqualTo("/api/v2/verify/" + ID + "/resend"))
                .withHeader("ApiKey", equalTo("the-key")));
    }

    @Test
    void sendersLists() throws Exception {
        wm.stubFor(get(urlEqualTo("/api/v2/sms/senders")).willReturn(json(200,
                "[{\"id\":\"1234\",\"name\":\"ACME\",\"phoneNumber\":\"351910000000\",\"senderStatus\":\"active\"}]")));
        assertThat(await(client.senders(PROFILE))).isEqualTo(new EgoiResult.Senders(List.of(
                new EgoiResult.Sender("1234", "ACME", "351910000000", "active"))));
    }

    @Test
    void anIdIsOnePathSegment() throws Exception {
        wm.stubFor(get(urlEqualTo("/api/v2/verify/a%2Fb%20c")).willReturn(json(200, "{\"status\":\"expired\"}")));
        assertThat(await(client.status(PROFILE, "a/b c"))).isEqualTo(new EgoiResult.Expired());
    }

    @Test
    void answer400IsRejectedWithItsTitleNotItsDetail() throws Exception {
        onSend(problem(400, "Bad Request"));
        EgoiResult r = send();
        assertThat(r).isEqualTo(new EgoiResult.Rejected(400, "Bad Request"));
        assertThat(r.describe()).doesNotContain("910000000");
    }

    @Test
    void answer401WithoutKeyIsRejected() throws Exception {
        onSend(problem(401, "Unauthorized"));
        assertThat(send()).isEqualTo(new EgoiResult.Rejected(401, "Unauthorized"));
    }

    @Test
    void answer403ForAKeyNotAllowedIsRejected() throws Exception {
        onSend(problem(403, "Forbidden"));
        assertThat(send()).isEqualTo(new EgoiResult.Rejected(403, "Forbidden"));
    }

    @Test
    void answer404ForAnUnknownIdIsRejected() throws Exception {
        wm.stubFor(get(urlEqualTo("/api/v2/verify/nope")).willReturn(problem(404, "Not Found")));
        assertThat(await(client.status(PROFILE, "nope"))).isEqualTo(new EgoiResult.Rejected(404, "Not Found"));
    }

    @Test
    void answer500IsAnUnknownOutcome() throws Exception {
        onSend(problem(500, "Internal Server Error"));
        EgoiResult r = send();
        assertThat(r).isEqualTo(new EgoiResult.ServerError(500));
        assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
    }

    @Test
    void answer429CarriesRetryAfter() throws Exception {
        onSend(problem(429, "Too Many Requests").withHeader("Retry-After", "3"));
        assertThat(send()).isEqualTo(new EgoiResult.RateLimited(Optional.of(Duration.ofSeconds(3))));
    }

    @Test
    void a2xxWithoutVerifyIdIsMalformed() throws Exception {
        onSend(json(201, "{\"id\":\"x\"}"));
        assertThat(send()).isInstanceOf(EgoiResult.MalformedBody.class);
    }

    /** E-goi's answers are a few hundred bytes: one over 64 KiB is not buffered, it is a malformed answer. */
    @Test
    void anAnswerBodyOver64KibIsMalformed() throws Exception {
        onSend(json(201, "{\"verifyId\":\"" + ID + "\",\"padding\":\"" + "x".repeat(64 * 1024) + "\"}"));
        assertThat(send()).isEqualTo(new EgoiResult.MalformedBody(201, "answer body over 65536 bytes"));

        // a body within the bound is read as usual, on a fresh connection
        onSend(json(201, "{\"verifyId\":\"" + ID + "\",\"padding\":\"" + "x".repeat(60 * 1024) + "\"}"));
        assertThat(send()).isEqualTo(new EgoiResult.Sent(ID));
    }
}
