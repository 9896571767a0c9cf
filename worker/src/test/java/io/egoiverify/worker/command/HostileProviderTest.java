package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The V2 client and the command executor against a provider (or whatever answers in its place: a proxy, a hijacked
 * name) that answers in ways E-goi's spec does not: byte-level answers from {@link RawHttpServer} on loopback.
 */
@Timeout(60)
class HostileProviderTest {
    static final SenderProfiles PROFILES = SenderProfiles.of(SenderProfile.v2("default", "the-api-key", "1"));
    static final String VALIDATE = "POST /api/v2/verify/p/validate ";
    static final String STATUS = "GET /api/v2/verify/p ";

    RawHttpServer egoi;
    RawHttpServer elsewhere;
    EgoiClient client;
    ScheduledExecutorService scheduler;

    @BeforeEach
    void start() throws IOException {
        egoi = new RawHttpServer();
        elsewhere = new RawHttpServer();
        client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.V2, egoi.url("/api"))
                .withTransport(new EgoiConfig.Transport(Duration.ofMillis(500), Duration.ofMillis(600), 16, 1)));
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        egoi.close();
        elsewhere.close();
        scheduler.shutdownNow();
    }

    static void write(OutputStream out, String status, String headers, byte[] body) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
    }

    static void json(OutputStream out, String status, String body) throws IOException {
        write(out, status, "Content-Type: application/json\r\n", body.getBytes(StandardCharsets.UTF_8));
    }

    /** A 201 whose 10,000-byte body comes a byte every 100 ms: 1,000 s, each byte re-arming the socket timeout. */
    static void trickle(RawHttpServer.Request request, OutputStream out) throws IOException, InterruptedException {
        out.write(("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n"
                + "Connection: close\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 10_000; i++) {
            out.flush();
            Thread.sleep(100); // the server's own pace: well within the client's 600 ms socket timeout
            out.write(' ');
        }
    }

    static List<CompletableFuture<EgoiResult>> sends(EgoiClient client, int n) {
        List<CompletableFuture<EgoiResult>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(client.send(PROFILES.find("default").orElseThrow(),
                    new SendRequest("+351910000000", "numeric", 4, 60, "{CODE}", null)));
        }
        return sent;
    }

    VerificationCommandResult execute(VerificationCommand command) throws Exception {
        return new CommandExecutor(client, PROFILES, new WorkerConfig.Retries(3, 6, Duration.ofMillis(1),
                Duration.ofMillis(5), false), CircuitBreaker.ofDefaults("t"), scheduler, Clock.systemUTC())
                .execute(command).get(30, TimeUnit.SECONDS);
    }

    /**
     * The response timeout is a socket timeout, re-armed by every byte: a body trickled one byte at a time never
     * trips it. The call must still end (and its command with it, instead of holding its partition's commit offset
     * for hours), as an outcome unknown: the request was written and may have been processed; and its connection
     * must be closed, not left to the trickle (a pooled connection each: a few such answers would exhaust the pool).
     */
    @Test
    void aBodyTrickledByteByByteStillEndsTheSendAsAnUnknownOutcome() throws Exception {
        egoi.answer(HostileProviderTest::trickle);
        VerificationCommandResult r = execute(Commands.send(Instant.now().plusSeconds(2)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getProviderCalls()).isEqualTo(1);
        assertThat(r.getDetail()).contains("response timeout");
        // the server sees the close at the trickle's next byte, 100 ms on; the trickle itself lasts 1,000 s
        await().atMost(Duration.ofSeconds(10)).until(() -> egoi.openConnections() == 0);
    }

    /**
     * An aborted trickle must give its pooled connection back, closed: otherwise each hostile answer keeps one and the
     * pool runs dry. Every connection of the pool (its per-route maximum) is taken by a trickle at once; all are
     * aborted at the exchange limit, the server sees every one closed, and as many fresh calls at once all get an
     * answer, none waiting out its lease timeout for a connection still held.
     */
    @Test
    void everyTrickledAnswerAbortedAtTheLimitGivesItsConnectionBack() throws Exception {
        int n = 24;
        // a connect timeout of 2 s: a loaded machine can take more than 500 ms to connect all of them at once
        try (EgoiClient pool = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.V2, egoi.url("/api"))
                .withTransport(new EgoiConfig.Transport(Duration.ofSeconds(2), Duration.ofMillis(600), n, 1)))) {
            egoi.answer(HostileProviderTest::trickle);
            for (CompletableFuture<EgoiResult> r : sends(pool, n)) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
            }
            assertThat(egoi.requests()).hasSize(n);
            assertThat(egoi.acceptedConnections()).isEqualTo(n);
            // the server sees a close at the trickle's next byte, 100 ms on; the trickles themselves last 1,000 s
            await().atMost(Duration.ofSeconds(10)).until(() -> egoi.openConnections() == 0);

            egoi.answer((request, out) -> json(out, "201 Created", "{\"verifyId\":\"v\"}"));
            for (CompletableFuture<EgoiResult> r : sends(pool, n)) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(new EgoiResult.Sent("v"));
            }
            assertThat(egoi.acceptedConnections()).isEqualTo(2 * n);
        }
    }

    /**
     * The same on a kept-alive connection, the pool's only one: the trickle comes on the connection an earlier answer
     * left open, which the pool hands out at once. Its abort closes it too, and the next call gets a connection.
     */
    @Test
    void aTrickledAnswerOnAKeptAliveConnectionIsAbortedAndItsConnectionClosed() throws Exception {
        egoi.keepAlive();
        egoi.answer((request, out) -> {
            if (request.requestLine().startsWith(STATUS)) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n"
                        + "{\"status\":\"pending\"}").getBytes(StandardCharsets.US_ASCII));
            } else {
                trickle(request, out);
            }
        });
        SenderProfile profile = PROFILES.find("default").orElseThrow();
        try (EgoiClient one = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.V2, egoi.url("/api"))
                .withTransport(new EgoiConfig.Transport(Duration.ofMillis(500), Duration.ofMillis(600), 1, 1)))) {
            // a few rounds: a lease that has to wait for the connection's release does not hand it out at once
            for (int round = 1; round <= 3; round++) {
                assertThat(one.status(profile, "p").get(30, TimeUnit.SECONDS))
                        .isEqualTo(new EgoiResult.Pending("pending"));
                assertThat(sends(one, 1).get(0).get(30, TimeUnit.SECONDS))
                        .isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
                assertThat(egoi.acceptedConnections()).as("the trickle came on the kept-alive connection")
                        .isEqualTo(round);
                await().atMost(Duration.ofSeconds(10)).until(() -> egoi.openConnections() == 0);
            }
        }
    }

    /**
     * A redirect is not an E-goi answer (and a 303 may follow a POST that was processed): the validate's outcome is
     * unknown, so a status still pending cannot mean a wrong code. The redirect is not followed: the key, the id and
     * the code go nowhere else.
     */
    @Test
    void aValidateAnsweredWithARedirectIsNeitherFollowedNorJudgedAWrongCode() throws Exception {
        egoi.answer((request, out) -> {
            if (request.requestLine().startsWith(VALIDATE)) {
                write(out, "307 Temporary Redirect", "Location: " + elsewhere.url("/api/v2/verify/p/validate")
                        + "\r\n", new byte[0]);
            } else {
                json(out, "200 OK", "{\"status\":\"pending\"}");
            }
        });
        VerificationCommandResult r = execute(Commands.check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(elsewhere.requests()).isEmpty();
        assertThat(egoi.requests()).filteredOn(q -> q.requestLine().startsWith(VALIDATE)).hasSize(1);
    }

    /**
     * The spec's validate 200 is a JSON list; an HTML page with 200 (a proxy or a firewall answering in E-goi's place)
     * says nothing of whether E-goi saw the code: a pending status then cannot mean a wrong code.
     */
    @Test
    void aValidateAnsweredWithAnHtmlPageIsNotJudgedAWrongCode() throws Exception {
        egoi.answer((request, out) -> {
            if (request.requestLine().startsWith(VALIDATE)) {
                write(out, "200 OK", "Content-Type: text/html\r\n",
                        "<html><body>Request blocked</body></html>".getBytes(StandardCharsets.UTF_8));
            } else {
                json(out, "200 OK", "{\"status\":\"pending\"}");
            }
        });
        VerificationCommandResult r = execute(Commands.check());
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(egoi.requests()).filteredOn(q -> q.requestLine().startsWith(VALIDATE)).hasSize(1);
    }

    /** A send redirected elsewhere: not followed (the key stays home) and, like a 5xx, not known to have failed. */
    @Test
    void aSendAnsweredWithARedirectIsNotFollowedAndItsOutcomeIsUnknown() throws Exception {
        egoi.answer((request, out) -> write(out, "303 See Other", "Location: " + elsewhere.url("/steal") + "\r\n",
                new byte[0]));
        VerificationCommandResult r = execute(Commands.send(Instant.now().plusSeconds(10)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getProviderCalls()).isEqualTo(1);
        assertThat(elsewhere.requests()).isEmpty();
    }

    /**
     * An error answer that echoes the request (a provider's error text, or whatever answers in its place): the result's
     * detail, which the lifecycle copies into VerificationFailed.detail, an outcome event, carried the API key and the
     * number. Neither may reach a result, in any of the number's formats.
     */
    @Test
    void anErrorAnswerEchoingTheKeyOrTheNumberDoesNotReachTheResult() throws Exception {
        String[] numbers = {"+351910000000", "351910000000", "351-910000000", "910 000 000", "(351) 910-000-000"};
        for (String number : numbers) {
            egoi.answer((request, out) -> json(out, "400 Bad Request",
                    "{\"title\":\"bad key the-api-key for " + number + "\"}"));
            VerificationCommandResult r = execute(Commands.send(Instant.now().plusSeconds(10)));
            assertThat(r.getStatus()).isEqualTo(CommandStatus.REJECTED);
            assertThat(r.getDetail()).as(number).contains("HTTP 400").doesNotContain("the-api-key")
                    .doesNotContain("910").doesNotContain("000");
        }
    }

    /** A connection reset halfway through the answer, after the whole request was read: the SMS may have gone. */
    @Test
    void aSendWhoseAnswerIsCutByAResetIsAnUnknownOutcomeAndNotRepeated() throws Exception {
        egoi.resetAfterAnswer();
        egoi.answer((request, out) -> out.write(("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                + "Content-Length: 40\r\n\r\n{\"verifyId\":").getBytes(StandardCharsets.US_ASCII)));
        VerificationCommandResult r = execute(Commands.send(Instant.now().plusSeconds(10)));
        assertThat(r.getStatus()).isEqualTo(CommandStatus.UNAVAILABLE);
        assertThat(r.getProviderCalls()).isEqualTo(1);
        assertThat(egoi.requests()).hasSize(1);
    }

    /** HttpClient inflates gzip itself; the 64 KiB bound applies to what it inflates, so a bomb stays small. */
    @Test
    void aGzipBombIsCutAtTheBoundAsAMalformedAnswer() throws Exception {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 512; i++) {
                gz.write(zeros); // 512 MiB inflated
            }
        }
        egoi.answer((request, out) -> write(out, "201 Created",
                "Content-Type: application/json\r\nContent-Encoding: gzip\r\n", zipped.toByteArray()));
        EgoiResult r = client.send(PROFILES.find("default").orElseThrow(), new SendRequest("+351910000000", "numeric",
                4, 60, "{CODE}", null)).get(30, TimeUnit.SECONDS);
        assertThat(r).isInstanceOf(EgoiResult.MalformedBody.class);
        assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
    }

    /** HttpCore's default limits (8 KiB a line, 100 headers) bound what an answer's head can take. */
    @Test
    void anEndlessHeaderIsRefusedAsAnUnknownOutcome() throws Exception {
        egoi.answer((request, out) -> {
            out.write("HTTP/1.1 201 Created\r\nX-Pad: ".getBytes(StandardCharsets.US_ASCII));
            byte[] pad = new byte[64 * 1024];
            Arrays.fill(pad, (byte) 'a');
            for (int i = 0; i < 256; i++) {
                out.write(pad);
            }
        });
        EgoiResult r = client.send(PROFILES.find("default").orElseThrow(), new SendRequest("+351910000000", "numeric",
                4, 60, "{CODE}", null)).get(30, TimeUnit.SECONDS);
        assertThat(r.delivery()).isEqualTo(EgoiResult.Delivery.UNKNOWN);
    }
}
