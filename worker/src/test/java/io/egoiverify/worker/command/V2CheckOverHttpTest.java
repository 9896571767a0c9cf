package io.egoiverify.worker.command;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A V2 check over real HTTP: the validate answer is reconciled with the status call, one case per status the default
 * table knows (and one it does not), and an unknown outcome read before validating again.
 */
@Timeout(60)
class V2CheckOverHttpTest {
    static final SenderProfiles PROFILES = SenderProfiles.of(SenderProfile.v2("default", "k", "1"));
    static final String VALIDATE = "/api/v2/verify/p/validate";
    static final String STATUS = "/api/v2/verify/p";
    static WireMockServer wm;
    static EgoiClient client;
    static ScheduledExecutorService scheduler;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.V2, URI.create("http://127.0.0.1:" + wm.port() + "/api"))
                .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(600)));
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stop() {
        client.close();
        wm.stop();
        scheduler.shutdownNow();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static VerificationCommandResult check() throws Exception {
        return new CommandExecutor(client, PROFILES, new WorkerConfig.Retries(3, 6, Duration.ofMillis(1),
                Duration.ofMillis(5), false), CircuitBreaker.ofDefaults("t"), scheduler, Clock.systemUTC())
                .execute(Commands.check()).get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "validate {0}, status {1} -> {2}")
    @CsvSource({
        "200, verified, VERIFIED", "200, approved, VERIFIED", "200, validated, VERIFIED",
        "200, pending, WRONG_CODE", "400, pending, WRONG_CODE", "404, pending, WRONG_CODE",
        "200, expired, CODE_EXPIRED", "400, expired, CODE_EXPIRED",
        "200, canceled, CANCELLED", "400, cancelled, CANCELLED",
        "200, blocked, UNAVAILABLE"})
    void aValidateAnswerIsReconciledWithTheStatusCall(int validate, String status, CommandStatus expected)
            throws Exception {
        wm.stubFor(post(urlEqualTo(VALIDATE)).willReturn(json(validate, validate == 200 ? "[{\"verifyId\":\"p\"}]"
                : "{\"type\":\"t\",\"title\":\"x\",\"status\":" + validate + ",\"detail\":\"d\"}")));
        wm.stubFor(get(urlEqualTo(STATUS)).willReturn(json(200, "{\"id\":\"p\",\"code\":\"999999\",\"status\":\""
                + status + "\"}")));
        VerificationCommandResult r = check();
        assertThat(r.getStatus()).isEqualTo(expected);
        assertThat(r.getProviderCalls()).isEqualTo(2);
        assertThat(r.getDetail()).doesNotContain("999999");
        wm.verify(1, postRequestedFor(urlEqualTo(VALIDATE)));
        wm.verify(1, getRequestedFor(urlEqualTo(STATUS)));
    }

    @Test
    void anUnknownIdAtReconciliationIsRejected() throws Exception {
        wm.stubFor(post(urlEqualTo(VALIDATE)).willReturn(json(404, "{\"title\":\"Not Found\",\"status\":404}")));
        wm.stubFor(get(urlEqualTo(STATUS)).willReturn(json(404, "{\"title\":\"Not Found\",\"status\":404}")));
        assertThat(check().getStatus()).isEqualTo(CommandStatus.REJECTED);
    }

    @Test
    void aValidateLostInA500IsReadBackAndNotMadeAgainWhileStillPending() throws Exception {
        wm.stubFor(post(urlEqualTo(VALIDATE))
                .willReturn(json(500, "{\"title\":\"Internal Server Error\",\"status\":500}")));
        wm.stubFor(get(urlEqualTo(STATUS)).willReturn(json(200, "{\"status\":\"pending\"}")));
        VerificationCommandResult r = check();
        // pending cannot tell a wrong code from a validate E-goi never saw: unjudged, and never a second validate
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getProviderCalls()).isEqualTo(2);
        wm.verify(1, postRequestedFor(urlEqualTo(VALIDATE)));
    }

    @Test
    void aValidateThatTimedOutButVerifiedIsNotMadeAgain() throws Exception {
        wm.stubFor(post(urlEqualTo(VALIDATE)).willReturn(json(200, "[]").withFixedDelay(2000)));
        wm.stubFor(get(urlEqualTo(STATUS)).willReturn(json(200, "{\"status\":\"verified\"}")));
        assertThat(check().getStatus()).isEqualTo(CommandStatus.VERIFIED);
        wm.verify(1, postRequestedFor(urlEqualTo(VALIDATE)));
    }
}
