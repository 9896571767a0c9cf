package io.egoiverify.worker.egoi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guide dialect against WireMock: exact request JSON, and one test per row of the README's mapping table. */
@Timeout(60)
class GuideClientWireMockTest {
    static final SenderProfile PROFILE = new SenderProfile("default", "the-key", "the-sender", "2FA");
    static WireMockServer wm;
    static EgoiClient client;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE,
                        URI.create("http://127.0.0.1:" + wm.port() + "/api/public"))
                // loose enough for a loaded 2-core CI machine (600 ms timed out a plain answer at load 12)
                .withTransport(new EgoiConfig.Transport(Duration.ofSeconds(2), Duration.ofSeconds(3), 16, 1))
                .withGuide(new EgoiConfig.GuideAssumptions("/sms/2fa/send", "/sms/2fa/validate",
                        "Wrong_Code_Configured")));
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

    static void onSend(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlEqualTo("/api/public/sms/2fa/send")).willReturn(response));
    }

    static void onValidate(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlEqualTo("/api/public/sms/2fa/validate")).willReturn(response));
    }

    static EgoiResult send() throws Exception {
        return client.send(PROFILE, new SendRequest("+351910000000", "alphanumeric", 4, 60, "Message text: {CODE}",
                null)).get(10, TimeUnit.SECONDS);
    }

    static EgoiResult validate() throws Exception {
        return client.validate(PROFILE, "bcc3f46527d44408b434ebc24c229a49", "1234").get(10, TimeUnit.SECONDS);
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    @Test
    void sendPostsExactlyEgoisJsonWithNumbersAsStrings() throws Exception {
        onSend(json(200, "{\"requestId\":\"bcc3f46527d44408b434ebc24c229a49\",\"status\":\"Ok\"}"));
        assertThat(send()).isEqualTo(new EgoiResult.Sent("bcc3f46527d44408b434ebc24c229a49"));
        wm.verify(postRequestedFor(urlEqualTo("/api/public/sms/2fa/send")).withRequestBody(equalToJson("""
                {"apikey":"the-key","number":"351-910000000","senderHash":"the-sender","codeType":"alphanumeric",
                 "codeSize":"4","group":"2FA","codeTTL":"60","message":"Message text: {CODE}"}""")));
    }

    @Test
    void validatePostsExactlyEgoisJson() throws Exception {
        onValidate(json(200, "{\"requestId\":\"bcc3f46527d44408b434ebc24c229a49\",\"status\":\"Verified\"}"));
        assertThat(validate()).isEqualTo(new EgoiResult.Verified());
        wm.verify(postRequestedFor(urlEqualTo("/api/public/sms/2fa/validate")).withRequestBody(equalToJson(
                "{\"apikey\":\"the-key\",\"requestId\":\"bcc3f46527d44408b434ebc24c229a49\",\"code\":\"1234\"}")));
    }

    @Test
    void expired() throws Exception {
        onValidate(json(200, "{\"requestId\":\"x\",\"status\":\"Expired\"}"));
        assertThat(validate()).isEqualTo(new EgoiResult.Expired());
    }

    @Test
    void alreadyVerified() throws Exception {
        onValidate(json(200, "{\"requestId\":\"x\",\"status\":\"Already_Verified\"}"));
        assertThat(validate()).isEqualTo(new EgoiResult.AlreadyVerified());
    }

    @Test
    void configuredWrongCodeStatus() throws Exception {
        onValidate(json(200, "{\"requestId\":\"x\",\"status\":\"Wrong_Code_Configured\"}"));
        assertThat(validate()).isEqualTo(new EgoiResult.WrongCode("Wrong_Code_Configured"));
    }

    @Test
    void unrecognisedStatus() throws Exception {
        onValidate(json(200, "{\"requestId\":\"x\",\"status\":\"Pending\"}"));
        assertThat(validate()).isEqualTo(new EgoiResult.UnrecognisedStatus(200, "Pending"));
    }

    @Test
    void clientError() throws Exception {
        onSend(json(401, "{\"status\":\"Unauthorized\"}"));
        assertThat(send()).isEqualTo(new EgoiResult.Rejected(401, "Unauthorized"));
    }

    @Test
    void tooManyRequests() throws Exception {
        onSend(json(429, "{}").withHeader("Retry-After", "3"));
        assertThat(send()).isEqualTo(new EgoiResult.RateLimited(Optional.of(Duration.ofSeconds(3))));
    }

    @Test
    void serverError() throws Exception {
        onSend(json(502, "<html>bad gateway</html>"));
        assertThat(send()).isEqualTo(new EgoiResult.ServerError(502));
    }

    @Test
    void responseTimeout() throws Exception {
        onSend(json(200, "{\"requestId\":\"x\",\"status\":\"Ok\"}").withFixedDelay(6000)); // past the 3 s
        assertThat(send()).isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
    }

    @Test
    void connectionResetByPeer() throws Exception {
        onSend(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        EgoiResult r = send();
        assertThat(r).isInstanceOf(EgoiResult.ConnectionFailed.class);
        assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
    }

    @Test
    void emptyResponse() throws Exception {
        onSend(aResponse().withFault(Fault.EMPTY_RESPONSE));
        assertThat(send().delivery()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
    }

    @Test
    void garbageThenClose() throws Exception {
        onSend(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE));
        assertThat(send().delivery()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
    }

    @Test
    void malformedBody() throws Exception {
        onSend(json(200, "{\"requestId\": \"x\", \"status\": "));
        assertThat(send()).isEqualTo(new EgoiResult.MalformedBody(200, "not a JSON object"));
    }

    @Test
    void connectTimeoutWhenTheServerNeverAccepts() throws Exception {
        // a listening socket whose accept queue is full drops SYNs: the connect times out (loopback only)
        try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(new InetSocketAddress("127.0.0.1", full.getLocalPort()), 200);
                        fillers.add(s);
                    } catch (java.io.IOException queueFull) {
                        s.close();
                        break;
                    }
                }
                try (EgoiClient c = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE,
                        URI.create("http://127.0.0.1:" + full.getLocalPort() + "/api"))
                        .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5)))) {
                    EgoiResult r = c.send(PROFILE, new SendRequest("+351910000000", "numeric", 4, 60, "{CODE}", null))
                            .get(10, TimeUnit.SECONDS);
                    assertThat(r).isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.CONNECT));
                    assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.NOT_DELIVERED);
                }
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }
}
