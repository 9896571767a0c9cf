package io.egoiverify.worker.egoi;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoiverify.testing.ForwardProxy;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.SandboxOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * E-goi's calls through a forward proxy ({@link ForwardProxy}, real, on loopback) to the sandbox: over plain http (the
 * proxy passes absolute-form requests on) and over https (a CONNECT tunnel to the sandbox behind {@link TlsFront}).
 * What the proxy answers itself (407, 403, 502) is never read as E-goi's answer.
 */
@Timeout(60)
class ProxyEgressTest {
    static final String KEY = "v2-key";
    static final SenderProfile PROFILE = SenderProfile.v2("default", KEY, "1");
    static final String NUMBER = "+351910000001";
    static final String EGOI_NUMBER = "351-910000001";
    static final String CREDENTIALS = "egress:pr0xy-s3cret";

    @TempDir
    static Path dir;
    static EgoiSandbox sandbox;
    static TlsFront https;
    ForwardProxy proxy;
    ListAppender<ILoggingEvent> log;
    /** The https front's connections before the test (the front serves every test). */
    int frontBefore;

    @BeforeAll
    static void start() throws Exception {
        sandbox = new EgoiSandbox(Clock.systemUTC(), SandboxOptions.defaults().withApiKey(KEY)).start("127.0.0.1", 0);
        https = TlsFront.of(dir, sandbox.port());
    }

    @AfterAll
    static void stop() throws Exception {
        https.close();
        sandbox.close();
    }

    @BeforeEach
    void proxy() throws Exception {
        sandbox.reset();
        frontBefore = https.connections();
        proxy = new ForwardProxy();
        log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(EgoiHttp.class)).addAppender(log);
    }

    @AfterEach
    void closeProxy() throws Exception {
        ((Logger) LoggerFactory.getLogger(EgoiHttp.class)).detachAppender(log);
        proxy.close();
    }

    EgoiConfig config(URI base, String userInfo) {
        return EgoiConfig.forBaseUrl(Dialect.V2, base).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3))
                .withProxy(new EgoiConfig.Proxy(proxy.host(), proxy.port(), userInfo));
    }

    /** A client through the proxy; it trusts the https front's test certificate. */
    EgoiClient client(URI base, String userInfo) {
        return https.client(config(base, userInfo));
    }

    /** What the client logged at WARN or above (its start-up line names the proxy at INFO). */
    List<ILoggingEvent> warnings() {
        return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    }

    static URI plain() {
        return sandbox.baseUrl(Dialect.V2);
    }

    static URI tls() {
        return https.url("/api");
    }

    static EgoiResult await(CompletableFuture<EgoiResult> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    static SendRequest send() {
        return new SendRequest(NUMBER, "numeric", 6, 60, "Your code: {CODE}", null);
    }

    /** Send, validate with the right code, status: the V2 round trip, which must end verified. */
    static void roundTrip(EgoiClient client) throws Exception {
        String id = ((EgoiResult.Sent) await(client.send(PROFILE, send()))).providerRequestId();
        String code = sandbox.lastCode(EGOI_NUMBER).orElseThrow();
        assertThat(await(client.validate(PROFILE, id, code))).isEqualTo(new EgoiResult.Unconfirmed(200));
        assertThat(await(client.status(PROFILE, id))).isEqualTo(new EgoiResult.Verified());
        assertThat(sandbox.outbox()).hasSize(1);
    }

    @Test
    void aPlainHttpSendAndValidateGoThroughTheProxyToTheSandbox() throws Exception {
        try (EgoiClient client = client(plain(), null)) {
            roundTrip(client);
        }
        assertThat(proxy.forwarded()).isEqualTo(3);
        assertThat(proxy.tunnels()).isZero();
        String origin = "http://127.0.0.1:" + sandbox.port() + "/api/v2/verify";
        assertThat(proxy.requestLines()).hasSize(3).allMatch(l -> l.contains(" " + origin));
    }

    @Test
    void anHttpsSendAndValidateGoThroughAConnectTunnelWithTlsEndToEnd() throws Exception {
        try (EgoiClient client = client(tls(), null)) {
            roundTrip(client);
        }
        assertThat(proxy.tunnels()).isPositive();
        assertThat(proxy.forwarded()).isZero();
        assertThat(proxy.requestLines()).isNotEmpty()
                .allMatch(l -> l.equals("CONNECT 127.0.0.1:" + https.port() + " HTTP/1.1"));
        assertThat(https.connections() - frontBefore).isEqualTo(proxy.tunnels());
    }

    /**
     * Without credentials the proxy refuses the tunnel with 407. HttpClient hands that answer over as if it were
     * E-goi's: a validate would read as "answered without a verdict" and its status call could then judge the code
     * wrong. It is the proxy's refusal, nothing reached E-goi, and it is logged once, naming the proxy.
     */
    @Test
    void withoutCredentialsAnHttpsCallIsRefusedByTheProxyNotAnsweredByEgoi() throws Exception {
        proxy.requireCredentials(CREDENTIALS);
        try (EgoiClient client = client(tls(), null)) {
            EgoiResult sent = await(client.send(PROFILE, send()));
            assertThat(sent).isEqualTo(new EgoiResult.ProxyRefused(407));
            assertThat(sent.delivery()).isEqualTo(EgoiResult.Delivery.NOT_DELIVERED);
            assertThat(sent.describe()).contains("egoi.proxy-user-info");
            assertThat(await(client.validate(PROFILE, "some-id", "123456"))).isEqualTo(new EgoiResult.ProxyRefused(407));
            assertThat(await(client.status(PROFILE, "some-id"))).isEqualTo(new EgoiResult.ProxyRefused(407));
        }
        assertThat(proxy.tunnels()).isZero();
        assertThat(https.connections()).isEqualTo(frontBefore);
        assertThat(sandbox.sendCalls(EGOI_NUMBER)).isZero();
        assertThat(warnings()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains("127.0.0.1:" + proxy.port()).contains("407")
                    .contains("set egoi.proxy-user-info");
        });
    }

    /** Over plain http the proxy answers the request itself: its 407 is no more E-goi's than a refused tunnel. */
    @Test
    void withoutCredentialsAPlainHttpCallIsRefusedByTheProxyNotAnsweredByEgoi() throws Exception {
        proxy.requireCredentials(CREDENTIALS);
        try (EgoiClient client = client(plain(), null)) {
            assertThat(await(client.send(PROFILE, send()))).isEqualTo(new EgoiResult.ProxyRefused(407));
            assertThat(await(client.validate(PROFILE, "some-id", "123456"))).isEqualTo(new EgoiResult.ProxyRefused(407));
        }
        assertThat(proxy.forwarded()).isZero();
        assertThat(sandbox.sendCalls(EGOI_NUMBER)).isZero();
    }

    /**
     * With the right credentials both kinds of call pass, the proxy sees them, and no log line (every logger at
     * TRACE, HttpClient's included) carries the password or its Basic encoding; nor does a wrong password's refusal.
     */
    @Test
    void withCredentialsTheCallsPassAndTheCredentialsAreNeverLogged() throws Exception {
        proxy.requireCredentials(CREDENTIALS);
        ListAppender<ILoggingEvent> all = new ListAppender<>();
        all.start();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        root.setLevel(Level.TRACE);
        root.addAppender(all);
        EgoiResult wrong;
        try (EgoiClient client = client(tls(), CREDENTIALS)) {
            roundTrip(client);
            sandbox.reset();
            try (EgoiClient plain = client(plain(), CREDENTIALS)) {
                roundTrip(plain);
            }
            try (EgoiClient wrongPassword = client(tls(), "egress:not-the-s3cret")) {
                wrong = await(wrongPassword.send(PROFILE, send()));
            }
        } finally {
            root.detachAppender(all);
            root.setLevel(before);
        }
        assertThat(wrong).isEqualTo(new EgoiResult.ProxyRefused(407));
        assertThat(proxy.authorized()).isGreaterThanOrEqualTo(4);
        assertThat(proxy.tunnels()).isPositive();
        assertThat(proxy.forwarded()).isEqualTo(3);
        assertThat(all.list).isNotEmpty().anyMatch(e -> e.getFormattedMessage().contains("407"))
                .anyMatch(e -> e.getFormattedMessage().equals("E-goi calls go through the proxy http://127.0.0.1:"
                        + proxy.port() + " (with credentials)"));
        String encoded = Base64.getEncoder().encodeToString(CREDENTIALS.getBytes(StandardCharsets.UTF_8));
        for (ILoggingEvent e : all.list) {
            assertThat(e.getFormattedMessage()).doesNotContain("pr0xy-s3cret").doesNotContain("not-the-s3cret")
                    .doesNotContain(encoded);
            assertThat(String.valueOf(e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()))
                    .doesNotContain("s3cret");
        }
    }

    /**
     * A tunnel refused by the proxy's policy (403) or because it could not reach E-goi (502) is no E-goi answer: not
     * "E-goi refused the key" (403), not a server error of unknown outcome (502). Nothing was sent, so a send may be
     * repeated.
     */
    @Test
    void aTunnelRefusedWith403Or502IsTheProxysRefusalAndSendsNothing() throws Exception {
        try (EgoiClient client = client(tls(), null)) {
            proxy.refuseWith(403);
            assertThat(await(client.send(PROFILE, send()))).isEqualTo(new EgoiResult.ProxyRefused(403));
            assertThat(await(client.validate(PROFILE, "some-id", "123456"))).isEqualTo(new EgoiResult.ProxyRefused(403));
            proxy.refuseWith(502);
            EgoiResult sent = await(client.send(PROFILE, send()));
            assertThat(sent).isEqualTo(new EgoiResult.ProxyRefused(502));
            assertThat(sent.delivery()).isEqualTo(EgoiResult.Delivery.NOT_DELIVERED);
        }
        assertThat(proxy.refused()).isEqualTo(3);
        assertThat(https.connections()).isEqualTo(frontBefore);
        assertThat(sandbox.sendCalls(EGOI_NUMBER)).isZero();
        assertThat(warnings()).extracting(ILoggingEvent::getFormattedMessage).hasSize(2)
                .allMatch(m -> m.contains("127.0.0.1:" + proxy.port()))
                .anyMatch(m -> m.contains("HTTP 403")).anyMatch(m -> m.contains("HTTP 502"));
    }

    /**
     * Over plain http a proxy answers 502 in E-goi's place after it may have passed the request on: that cannot be
     * told from E-goi's own 502, so it stays a server error of unknown outcome; a validate's is never a verdict.
     */
    @Test
    void aPlainHttp502FromTheProxyIsAnUnknownOutcomeNeverAVerdict() throws Exception {
        proxy.refuseWith(502);
        try (EgoiClient client = client(plain(), null)) {
            EgoiResult sent = await(client.send(PROFILE, send()));
            assertThat(sent).isEqualTo(new EgoiResult.ServerError(502));
            assertThat(sent.delivery()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
            assertThat(await(client.validate(PROFILE, "some-id", "123456"))).isEqualTo(new EgoiResult.ServerError(502));
        }
    }

    /**
     * A TLS handshake with E-goi that fails inside the tunnel (here: a certificate the JVM does not trust, as a
     * TLS-inspecting proxy's would be) happens before the request is written: nothing was sent.
     */
    @Test
    void aTlsFailureInsideTheTunnelSendsNothing() throws Exception {
        try (EgoiClient client = new EgoiClient(config(tls(), null))) {
            EgoiResult sent = await(client.send(PROFILE, send()));
            assertThat(sent).isInstanceOf(EgoiResult.TunnelFailed.class);
            assertThat(sent.delivery()).isEqualTo(EgoiResult.Delivery.NOT_DELIVERED);
        }
        assertThat(proxy.tunnels()).isEqualTo(1);
        assertThat(sandbox.sendCalls(EGOI_NUMBER)).isZero();
        assertThat(warnings()).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                .contains("No tunnel to E-goi through the proxy 127.0.0.1:" + proxy.port());
    }

    @Test
    void theProxyNeverShowsItsCredentials() {
        EgoiConfig.Proxy p = new EgoiConfig.Proxy("proxy.internal", 3128, CREDENTIALS);
        assertThat(p.toString()).isEqualTo("http://proxy.internal:3128 (with credentials)");
        assertThat(config(plain(), CREDENTIALS).toString()).doesNotContain("s3cret");
        assertThat(new EgoiConfig.Proxy("::1", 3128, null).address()).isEqualTo("[::1]:3128");
        assertThat(List.of(p.user(), new String(p.password()))).containsExactly("egress", "pr0xy-s3cret");
    }
}
