package io.egoiverify.worker.egoi;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.Faults;
import io.egoiverify.worker.sandbox.OutboxEntry;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guide dialect against the sandbox over real HTTP on loopback: one test per answer and per injected fault. */
@Timeout(60)
class GuideClientSandboxTest {
    static final String NUMBER = "+351910000001";
    static final String EGOI_NUMBER = "351-910000001";
    static final SenderProfile PROFILE = new SenderProfile("default", "key-1", "sender-1");
    static EgoiSandbox sandbox;
    static EgoiClient client;

    @BeforeAll
    static void start() throws Exception {
        sandbox = new EgoiSandbox().start("127.0.0.1", 0);
        client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, sandbox.baseUrl(Dialect.GUIDE))
                .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(700)));
    }

    @AfterAll
    static void stop() {
        client.close();
        sandbox.close();
    }

    @BeforeEach
    void reset() {
        sandbox.reset();
    }

    static EgoiResult await(java.util.concurrent.CompletableFuture<EgoiResult> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    static SendRequest send(String number) {
        return new SendRequest(number, "numeric", 6, 60, "Your code: {CODE}", "2FA");
    }

    @Test
    void sendsAndGetsOkWithRequestIdAndTheSmsIsInTheOutbox() throws Exception {
        EgoiResult r = await(client.send(PROFILE, send(NUMBER)));
        assertThat(r).isInstanceOf(EgoiResult.Sent.class);
        OutboxEntry sms = sandbox.outbox().get(0);
        assertThat(sms.number()).isEqualTo(EGOI_NUMBER);
        assertThat(sms.requestId()).isEqualTo(((EgoiResult.Sent) r).providerRequestId());
        assertThat(sms.code()).matches("\\d{6}");
        assertThat(sms.text()).isEqualTo("Your code: " + sms.code());
    }

    @Test
    void generatesCodesByTypeAndSize() throws Exception {
        for (String[] t : new String[][] {{"alpha", "[A-Z]{8}"}, {"alphanumeric", "[A-Z0-9]{8}"}, {"hex", "[0-9A-F]{8}"},
                {"numeric", "[0-9]{8}"}}) {
            await(client.send(PROFILE, new SendRequest(NUMBER, t[0], 8, 60, "{CODE}", null)));
            assertThat(sandbox.lastCode(EGOI_NUMBER)).get().asString().matches(t[1]);
        }
    }

    @Test
    void verifiesTheRightCodeThenAnswersAlreadyVerified() throws Exception {
        String id = ((EgoiResult.Sent) await(client.send(PROFILE, send(NUMBER)))).providerRequestId();
        String code = sandbox.lastCode(EGOI_NUMBER).orElseThrow();
        assertThat(await(client.validate(PROFILE, id, code))).isInstanceOf(EgoiResult.Verified.class);
        assertThat(await(client.validate(PROFILE, id, code))).isInstanceOf(EgoiResult.AlreadyVerified.class);
        assertThat(sandbox.validateCalls(id)).isEqualTo(2);
    }

    @Test
    void wrongCodeKeepsTheRequestWaiting() throws Exception {
        String id = ((EgoiResult.Sent) await(client.send(PROFILE, send(NUMBER)))).providerRequestId();
        assertThat(await(client.validate(PROFILE, id, "not-it"))).isInstanceOf(EgoiResult.WrongCode.class);
        String code = sandbox.lastCode(EGOI_NUMBER).orElseThrow();
        assertThat(await(client.validate(PROFILE, id, code))).isInstanceOf(EgoiResult.Verified.class);
    }

    @Test
    void expiresAfterTheTtl() throws Exception {
        MutableClock clock = new MutableClock();
        try (EgoiSandbox timed = new EgoiSandbox(clock).start("127.0.0.1", 0);
             EgoiClient c = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, timed.baseUrl(Dialect.GUIDE)))) {
            String id = ((EgoiResult.Sent) await(c.send(PROFILE, send(NUMBER)))).providerRequestId();
            clock.advance(Duration.ofSeconds(61));
            assertThat(await(c.validate(PROFILE, id, timed.lastCode(EGOI_NUMBER).orElseThrow())))
                    .isInstanceOf(EgoiResult.Expired.class);
        }
    }

    @Test
    void unknownRequestIdIsRejected() throws Exception {
        assertThat(await(client.validate(PROFILE, "nope", "1234"))).isInstanceOf(EgoiResult.Rejected.class);
    }

    @Test
    void aNumberNotInE164IsRefusedBeforeAnyCallWithACompletedFuture() throws Exception {
        var f = client.send(PROFILE, send("351-910000001"));
        assertThat(f).isCompleted();
        assertThat(await(f)).isInstanceOf(EgoiResult.Refused.class);
        assertThat(await(client.validate(PROFILE, " ", "1234"))).isInstanceOf(EgoiResult.Refused.class);
        assertThat(sandbox.sendCallsByNumber()).isEmpty();
    }

    @Test
    void aProfileWithoutSenderHashIsRefusedBeforeAnyCall() throws Exception {
        EgoiResult r = await(client.send(SenderProfile.v2("default", "key-1", "1"), send(NUMBER)));
        assertThat(r).isInstanceOf(EgoiResult.Refused.class);
        assertThat(r.describe()).contains("sender-hash");
        assertThat(sandbox.sendCallsByNumber()).isEmpty();
    }

    @Test
    void theGuideKnowsNoStatusCancelResendOrSendersCall() throws Exception {
        assertThat(await(client.status(PROFILE, "x"))).isInstanceOf(EgoiResult.Unsupported.class);
        assertThat(await(client.cancel(PROFILE, "x"))).isInstanceOf(EgoiResult.Unsupported.class);
        assertThat(await(client.resend(PROFILE, "x"))).isInstanceOf(EgoiResult.Unsupported.class);
        assertThat(await(client.senders(PROFILE))).isInstanceOf(EgoiResult.Unsupported.class);
    }

    @Test
    void serverError500IsProcessedAndItsAnswerLost() throws Exception {
        sandbox.setFaults(Faults.none().withErrorRate(500, 1.0));
        EgoiResult r = await(client.send(PROFILE, send(NUMBER)));
        assertThat(r).isEqualTo(new EgoiResult.ServerError(500));
        assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
        assertThat(sandbox.outbox()).hasSize(1); // the SMS went out
    }

    @Test
    void serverError503IsNotProcessed() throws Exception {
        sandbox.setFaults(Faults.none().withErrorRate(503, 1.0));
        assertThat(await(client.send(PROFILE, send(NUMBER)))).isEqualTo(new EgoiResult.ServerError(503));
        assertThat(sandbox.outbox()).isEmpty();
    }

    @Test
    void rateLimitCarriesRetryAfter() throws Exception {
        sandbox.setFaults(Faults.none().withRateLimit(1.0, 2));
        EgoiResult r = await(client.send(PROFILE, send(NUMBER)));
        assertThat(r).isEqualTo(new EgoiResult.RateLimited(java.util.Optional.of(Duration.ofSeconds(2))));
        assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.NOT_DELIVERED);
        assertThat(sandbox.outbox()).isEmpty();
    }

    @Test
    void noReplyIsAResponseTimeout() throws Exception {
        sandbox.setFaults(Faults.none().withTimeoutRate(1.0));
        assertThat(await(client.send(PROFILE, send(NUMBER)))).isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
    }

    @Test
    void slowReplyBeyondTheResponseTimeoutIsAResponseTimeout() throws Exception {
        sandbox.setFaults(Faults.latency(Duration.ofSeconds(3)));
        assertThat(await(client.send(PROFILE, send(NUMBER)))).isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
    }

    @Test
    void droppedConnectionIsAConnectionFailure() throws Exception {
        sandbox.setFaults(Faults.none().withDropRate(1.0));
        EgoiResult r = await(client.send(PROFILE, send(NUMBER)));
        assertThat(r).isInstanceOf(EgoiResult.ConnectionFailed.class);
        assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
    }

    @Test
    void malformedJsonIsAMalformedBody() throws Exception {
        sandbox.setFaults(Faults.none().withMalformedRate(1.0));
        assertThat(await(client.send(PROFILE, send(NUMBER)))).isInstanceOf(EgoiResult.MalformedBody.class);
    }

    @Test
    void connectionRefusedIsNotDelivered() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (EgoiClient c = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, URI.create("http://127.0.0.1:" + port + "/api")))) {
            EgoiResult r = await(c.send(PROFILE, send(NUMBER)));
            assertThat(r).isEqualTo(new EgoiResult.ConnectionRefused());
            assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.NOT_DELIVERED);
        }
    }

    @Test
    void waitingTooLongForAPooledConnectionIsAPoolTimeoutThatNeverReachedEgoi() throws Exception {
        sandbox.setFaults(Faults.none().withStalledNumbers(java.util.Set.of(EGOI_NUMBER)));
        try (EgoiClient single = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, sandbox.baseUrl(Dialect.GUIDE)).withMaxConnections(1)
                .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5)))) {
            var holding = single.send(PROFILE, send(NUMBER)); // takes the only connection and gets no answer
            EgoiResult r = await(single.send(PROFILE, send("+351910000002")));
            assertThat(r).isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.POOL));
            assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.NOT_DELIVERED);
            assertThat(sandbox.sendCalls("351-910000002")).isZero();
            holding.cancel(true);
        }
    }

    @Test
    void delayedRepliesDoNotHoldThreads() throws Exception {
        sandbox.setFaults(Faults.latency(Duration.ofHours(1)));
        var pending = new java.util.ArrayList<java.util.concurrent.CompletableFuture<EgoiResult>>();
        for (int i = 0; i < 20; i++) {
            pending.add(client.send(PROFILE, send("+3519100000" + (10 + i))));
        }
        // the 2 handler threads would all be asleep if a delay held one: the admin endpoint still answers
        var http = java.net.http.HttpClient.newHttpClient();
        var outbox = http.send(java.net.http.HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + sandbox.port() + "/_sandbox/outbox")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(outbox.statusCode()).isEqualTo(200);
        for (var f : pending) {
            assertThat(await(f)).isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
        }
    }
}
