package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.testing.ForwardProxy;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.egoiverify.worker.egoi.TlsFront;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.SandboxOptions;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command executor (the worker's retries and results) on E-goi's https calls through a forward proxy
 * ({@link ForwardProxy}, real, on loopback) to the sandbox behind TLS: what the proxy refuses is never sent, so a send
 * may be repeated, and is never E-goi's verdict, so a check is never judged on it.
 */
@Timeout(60)
class ProxiedCommandsTest {
    static final String KEY = "v2-key";
    static final SenderProfiles PROFILES = SenderProfiles.of(SenderProfile.v2("default", KEY, "1"));
    static final String EGOI_NUMBER = "351-910000000";
    static final String CREDENTIALS = "egress:pr0xy-s3cret";

    @TempDir
    static Path dir;
    static EgoiSandbox sandbox;
    static TlsFront front;
    ForwardProxy proxy;
    ScheduledExecutorService scheduler;

    @BeforeAll
    static void start() throws Exception {
        sandbox = new EgoiSandbox(Clock.systemUTC(), SandboxOptions.defaults().withApiKey(KEY)).start("127.0.0.1", 0);
        front = TlsFront.of(dir, sandbox.port());
    }

    @AfterAll
    static void stop() throws Exception {
        front.close();
        sandbox.close();
    }

    @BeforeEach
    void proxy() throws Exception {
        sandbox.reset();
        proxy = new ForwardProxy();
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void closeProxy() throws Exception {
        scheduler.shutdownNow();
        proxy.close();
    }

    EgoiClient client(String userInfo) {
        return front.client(EgoiConfig.forBaseUrl(Dialect.V2, front.url("/api"))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3))
                .withProxy(new EgoiConfig.Proxy(proxy.host(), proxy.port(), userInfo)));
    }

    VerificationCommandResult execute(EgoiClient client, VerificationCommand command) throws Exception {
        return new CommandExecutor(client, PROFILES, new WorkerConfig.Retries(3, 4, Duration.ofMillis(1),
                Duration.ofMillis(5), false), CircuitBreaker.ofDefaults("t"), scheduler, Clock.systemUTC())
                .execute(command).get(30, TimeUnit.SECONDS);
    }

    static VerificationCommand check(String providerRequestId, String code) {
        return Commands.of(CheckCode.newBuilder().setProviderRequestId(providerRequestId).setSubmissionId("s")
                .setCode(code).build(), Instant.now().plusSeconds(30));
    }

    @Test
    void withCredentialsASendAndACheckThroughTheTunnelEndSentAndVerified() throws Exception {
        proxy.requireCredentials(CREDENTIALS);
        try (EgoiClient client = client(CREDENTIALS)) {
            VerificationCommandResult sent = execute(client, Commands.send(Instant.now().plusSeconds(30)));
            assertThat(sent.getStatus()).isEqualTo(CommandStatus.SENT);
            VerificationCommandResult checked = execute(client, check(sent.getProviderRequestId(),
                    sandbox.lastCode(EGOI_NUMBER).orElseThrow()));
            assertThat(checked.getStatus()).as(checked.getDetail()).isEqualTo(CommandStatus.VERIFIED);
        }
        assertThat(proxy.tunnels()).isPositive();
        assertThat(proxy.authorized()).isPositive();
        assertThat(sandbox.outbox()).hasSize(1);
    }

    /** Refused for want of credentials: not sent, so repeated up to the attempts, then unavailable, never rejected. */
    @Test
    void aSendTheProxyRefusesIsRepeatedAsNeverSentAndEndsUnavailable() throws Exception {
        proxy.requireCredentials(CREDENTIALS);
        VerificationCommandResult r;
        try (EgoiClient client = client(null)) {
            r = execute(client, Commands.send(Instant.now().plusSeconds(30)));
        }
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getProviderCalls()).isEqualTo(3);
        assertThat(r.getDetail()).contains("refused by the proxy: HTTP 407").doesNotContain("s3cret");
        assertThat(proxy.refused()).isEqualTo(3);
        assertThat(sandbox.sendCalls(EGOI_NUMBER)).isZero();
    }

    /**
     * A check whose tunnel the proxy refuses (403, its policy) is repeated as never sent and ends unavailable: not
     * rejected, not a wrong code, and E-goi saw no validate.
     */
    @Test
    void aCheckWhoseTunnelIsRefusedIsNeverJudged() throws Exception {
        String id;
        try (EgoiClient client = client(null)) {
            id = execute(client, Commands.send(Instant.now().plusSeconds(30))).getProviderRequestId();
        }
        proxy.refuseWith(403);
        VerificationCommandResult r;
        try (EgoiClient client = client(null)) { // a new tunnel: the first client's stays open to the sandbox
            r = execute(client, check(id, sandbox.lastCode(EGOI_NUMBER).orElseThrow()));
        }
        assertThat(r.getStatus()).as(r.getDetail()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getProviderCalls()).isEqualTo(4);
        assertThat(r.getDetail()).contains("refused by the proxy: HTTP 403");
        assertThat(sandbox.validateCalls(id)).isZero();
    }
}
