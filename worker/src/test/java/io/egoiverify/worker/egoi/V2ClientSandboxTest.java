package io.egoiverify.worker.egoi;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.Faults;
import io.egoiverify.worker.sandbox.OutboxEntry;
import io.egoiverify.worker.sandbox.SandboxOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The V2 dialect against the sandbox over real HTTP on loopback: every call, the spec's answers, both fault kinds. */
@Timeout(60)
class V2ClientSandboxTest {
    static final String NUMBER = "+351910000001";
    static final String EGOI_NUMBER = "351-910000001";
    static final String KEY = "v2-key";
    static final SenderProfile PROFILE = SenderProfile.v2("default", KEY, "1");
    static EgoiSandbox sandbox;
    static EgoiClient client;

    @BeforeAll
    static void start() throws Exception {
        sandbox = new EgoiSandbox(Clock.systemUTC(), SandboxOptions.defaults().withApiKey(KEY)).start("127.0.0.1", 0);
        client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.V2, sandbox.baseUrl(Dialect.V2))
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

    static EgoiResult await(CompletableFuture<EgoiResult> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    static SendRequest send(String number) {
        return new SendRequest(number, "numeric", 6, 60, "Your code: {CODE}", "2FA");
    }

    String sent() throws Exception {
        return ((EgoiResult.Sent) await(client.send(PROFILE, send(NUMBER)))).providerRequestId();
    }

    @Test
    void sendIsAnswered201WithTheVerifyIdAndTheCodeTakesThePlaceOfTheTag() throws Exception {
        String id = sent();
        OutboxEntry sms = sandbox.outbox().get(0);
        assertThat(sms.requestId()).isEqualTo(id);
        assertThat(sms.number()).isEqualTo(EGOI_NUMBER);
        assertThat(sms.code()).matches("\\d{6}");
        assertThat(sms.text()).isEqualTo("Your code: " + sms.code());
    }

    @Test
    void codeTypesIncludingHexaAndLengthAreHonoured() throws Exception {
        for (String[] t : new String[][] {{"alpha", "[A-Z]{8}"}, {"alphanumeric", "[A-Z0-9]{8}"},
                {"hex", "[0-9A-F]{8}"}, {"numeric", "[0-9]{8}"}}) {
            assertThat(await(client.send(PROFILE, new SendRequest(NUMBER, t[0], 8, 60, "{CODE}", null))))
                    .isInstanceOf(EgoiResult.Sent.class);
            assertThat(sandbox.lastCode(EGOI_NUMBER)).get().asString().matches(t[1]);
        }
    }

    @Test
    void theRightCodeIsAnswered200WithoutAVerdictAndTheStatusSaysVerified() throws Exception {
        String id = sent();
        String code = sandbox.lastCode(EGOI_NUMBER).orElseThrow();
        assertThat(await(client.validate(PROFILE, id, code))).isEqualTo(new EgoiResult.Unconfirmed(200));
        assertThat(await(client.status(PROFILE, id))).isEqualTo(new EgoiResult.Verified());
    }

    @Test
    void aWrongCodeLooksTheSameButTheStatusStaysPending() throws Exception {
        String id = sent();
        assertThat(await(client.validate(PROFILE, id, "nope"))).isEqualTo(new EgoiResult.Unconfirmed(200));
        assertThat(await(client.status(PROFILE, id))).isEqualTo(new EgoiResult.Pending("pending"));
    }

    @Test
    void expiredAfterTheValidity() throws Exception {
        MutableClock clock = new MutableClock();
        try (EgoiSandbox timed = new EgoiSandbox(clock, SandboxOptions.defaults()).start("127.0.0.1", 0);
             EgoiClient c = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.V2, timed.baseUrl(Dialect.V2)))) {
            String id = ((EgoiResult.Sent) await(c.send(PROFILE, send(NUMBER)))).providerRequestId();
            clock.advance(Duration.ofSeconds(61));
            assertThat(await(c.validate(PROFILE, id, timed.lastCode(EGOI_NUMBER).orElseThrow())))
                    .isEqualTo(new EgoiResult.Unconfirmed(400));
            assertThat(await(c.status(PROFILE, id))).isEqualTo(new EgoiResult.Expired());
        }
    }

    @Test
    void cancelAnswers200AndTheStatusSaysCancelled() throws Exception {
        String id = sent();
        assertThat(await(client.cancel(PROFILE, id))).isEqualTo(new EgoiResult.Cancelled());
        assertThat(await(client.status(PROFILE, id))).isEqualTo(new EgoiResult.Cancelled());
        assertThat(sandbox.calls("cancel", id)).isEqualTo(1);
    }

    @Test
    void resendSendsANewCodeForTheSameIdAndOnlyTheNewOneVerifies() throws Exception {
        String id = sent();
        String first = sandbox.lastCode(EGOI_NUMBER).orElseThrow();
        assertThat(await(client.resend(PROFILE, id))).isEqualTo(new EgoiResult.Sent(id));
        assertThat(sandbox.outbox()).hasSize(2).allMatch(e -> e.requestId().equals(id));
        String second = sandbox.lastCode(EGOI_NUMBER).orElseThrow();
        if (!first.equals(second)) {
            await(client.validate(PROFILE, id, first));
            assertThat(await(client.status(PROFILE, id))).isInstanceOf(EgoiResult.Pending.class);
        }
        await(client.validate(PROFILE, id, second));
        assertThat(await(client.status(PROFILE, id))).isEqualTo(new EgoiResult.Verified());
    }

    @Test
    void sendersListsTheAccountsSenders() throws Exception {
        EgoiResult r = await(client.senders(PROFILE));
        assertThat(r).isInstanceOf(EgoiResult.Senders.class);
        assertThat(((EgoiResult.Senders) r).senders()).extracting(EgoiResult.Sender::id, EgoiResult.Sender::status)
                .contains(org.assertj.core.groups.Tuple.tuple("1", "active"),
                        org.assertj.core.groups.Tuple.tuple("2", "inactive"));
    }

    @Test
    void aWrongKeyIs403() throws Exception {
        SenderProfile wrong = SenderProfile.v2("default", "not-the-key", "1");
        assertThat(await(client.send(wrong, send(NUMBER)))).isEqualTo(new EgoiResult.Rejected(403, "Forbidden"));
        assertThat(await(client.senders(wrong))).isEqualTo(new EgoiResult.Rejected(403, "Forbidden"));
        assertThat(sandbox.outbox()).isEmpty();
    }

    @Test
    void anUnknownSenderIdIs400() throws Exception {
        assertThat(await(client.send(SenderProfile.v2("default", KEY, "99"), send(NUMBER))))
                .isEqualTo(new EgoiResult.Rejected(400, "Bad Request"));
        assertThat(await(client.send(SenderProfile.v2("default", KEY, "2"), send(NUMBER))))
                .isEqualTo(new EgoiResult.Rejected(400, "Bad Request"));
    }

    @Test
    void anUnknownIdIs404() throws Exception {
        assertThat(await(client.status(PROFILE, "unknown"))).isEqualTo(new EgoiResult.Rejected(404, "Not Found"));
        assertThat(await(client.cancel(PROFILE, "unknown"))).isEqualTo(new EgoiResult.Rejected(404, "Not Found"));
        assertThat(await(client.resend(PROFILE, "unknown"))).isEqualTo(new EgoiResult.Rejected(404, "Not Found"));
        assertThat(await(client.validate(PROFILE, "unknown", "1"))).isEqualTo(new EgoiResult.Unconfirmed(404));
    }

    @Test
    void notProcessed503And429SendNothingAndChangeNothing() throws Exception {
        String id = sent();
        sandbox.setFaults(Faults.none().withErrorRate(503, 1.0));
        assertThat(await(client.send(PROFILE, send("+351910000002")))).isEqualTo(new EgoiResult.ServerError(503));
        assertThat(await(client.cancel(PROFILE, id))).isEqualTo(new EgoiResult.ServerError(503));
        sandbox.setFaults(Faults.none().withRateLimit(1.0, 2));
        assertThat(await(client.resend(PROFILE, id)))
                .isEqualTo(new EgoiResult.RateLimited(java.util.Optional.of(Duration.ofSeconds(2))));
        sandbox.setFaults(Faults.none());
        assertThat(sandbox.outbox()).hasSize(1);
        assertThat(await(client.status(PROFILE, id))).isInstanceOf(EgoiResult.Pending.class);
    }

    @Test
    void processed500AndTimeoutsSendTheSmsAndLoseTheAnswer() throws Exception {
        sandbox.setFaults(Faults.none().withErrorRate(500, 1.0));
        assertThat(await(client.send(PROFILE, send(NUMBER)))).isEqualTo(new EgoiResult.ServerError(500));
        sandbox.setFaults(Faults.none().withTimeoutRate(1.0));
        assertThat(await(client.send(PROFILE, send("+351910000002"))))
                .isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
        sandbox.setFaults(Faults.none().withMalformedRate(1.0));
        assertThat(await(client.send(PROFILE, send("+351910000003")))).isInstanceOf(EgoiResult.MalformedBody.class);
        assertThat(sandbox.outbox()).hasSize(3);
    }

    @Test
    void limitsOfTheSpecAreRefusedBeforeAnyCall() throws Exception {
        assertThat(await(client.send(PROFILE, new SendRequest(NUMBER, "numeric", 21, 60, "{CODE}", null))))
                .isInstanceOf(EgoiResult.Refused.class);
        assertThat(await(client.send(PROFILE, new SendRequest(NUMBER, "numeric", 6, 3601, "{CODE}", null))))
                .isInstanceOf(EgoiResult.Refused.class);
        assertThat(await(client.send(new SenderProfile("default", KEY, "hash-only"), send(NUMBER))))
                .isInstanceOf(EgoiResult.Refused.class);
        assertThat(sandbox.sendCallsByNumber()).isEmpty();
    }
}
