package io.egoiverify.e2e.flows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.e2e.client.SandboxClient;
import io.egoiverify.e2e.support.E2eStack;
import io.egoiverify.e2e.support.E2eStackExtension;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.schemas.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The status query across processes: every key answers on each lifecycle JVM of the local stack (from its own state
 * or fetched from the other), by HTTP and by the product's own {@code status} command, and no answer holds a code, a
 * full number or E-goi's id.
 */
@ExtendWith(E2eStackExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StatusQueryFlowsIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final int SENT_TTL_SECONDS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static E2eStack e2e;
    private static Topics topics;
    private static OutcomeLog outcomes;
    private static SandboxClient sandbox;

    @BeforeAll
    static void stack(E2eStack shared) {
        e2e = shared;
        topics = shared.topics();
        outcomes = shared.outcomes();
        sandbox = shared.sandbox();
    }

    @Test
    void everyKeyAnswersOnEveryLifecycleInstance() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String sent = "status-sent-" + i + "-" + e2e.runId();
            String verified = "status-verified-" + i + "-" + e2e.runId();
            String phone = e2e.nextPhoneNumber();
            String other = e2e.nextPhoneNumber();
            secrets.add(phone.substring(1));
            secrets.add(other.substring(1));
            // SENT must still hold when the last instance is asked, after every HTTP query and the CLI runs: not
            // the stack's 20 s default TTL (a loaded CI run once saw it EXPIRED by the CLI check)
            e2e.inputs().send(Inputs.request(sent, phone).setTtlSeconds(SENT_TTL_SECONDS).build());
            e2e.inputs().send(Inputs.request(verified, other).build());
            expected.put(sent, "SENT");
            expected.put(verified, "VERIFIED");
        }
        String invalid = "status-invalid-" + e2e.runId();
        e2e.inputs().send(Inputs.request(invalid, "12345").build());
        expected.put(invalid, "FAILED");
        expected.put("status-never-seen-" + e2e.runId(), null);
        for (Map.Entry<String, String> e : expected.entrySet()) {
            if ("VERIFIED".equals(e.getValue())) {
                VerificationSent sent = awaitSent(e.getKey());
                String code = await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.code(
                        sent.getProviderRequestId()), java.util.Optional::isPresent).orElseThrow();
                secrets.add(code);
                secrets.add(sent.getProviderRequestId());
                e2e.inputs().send(Inputs.submission(e.getKey(), e.getKey() + "-s1", code));
            } else if ("SENT".equals(e.getValue())) {
                secrets.add(awaitSent(e.getKey()).getProviderRequestId());
            }
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            if (e.getValue() != null && !e.getValue().equals("SENT")) {
                await(e.getKey()).atMost(WAIT).until(() -> !outcomes.terminals(e.getKey()).isEmpty());
            }
        }

        int lifecycles = e2e.stack().config().lifecycles();
        assertThat(lifecycles).isGreaterThanOrEqualTo(2);
        for (int instance = 1; instance <= lifecycles; instance++) {
            int port = e2e.stack().config().ports().lifecycleBase() + instance;
            for (Map.Entry<String, String> e : expected.entrySet()) {
                // Outcomes are read_committed; the store may still hold the step before for a commit interval.
                HttpResponse<String> r = await("status of " + e.getKey() + " on lifecycle-" + port)
                        .atMost(Duration.ofSeconds(15)).until(() -> get(port, e.getKey()), x -> x.statusCode()
                                == (e.getValue() == null ? 404 : 200) && (e.getValue() == null
                                || x.body().contains("\"status\":\"" + e.getValue() + "\"")));
                for (String secret : secrets) {
                    assertThat(r.body()).doesNotContain(secret);
                }
            }
        }

        // The product's own command, against each instance
        String key = expected.keySet().iterator().next();
        for (int instance = 1; instance <= lifecycles; instance++) {
            int port = e2e.stack().config().ports().lifecycleBase() + instance;
            String out = statusCommand(port, key);
            assertThat(out).contains("requestId          " + key).contains("status             SENT")
                    .contains("sendCount          1").contains("phoneNumberMasked  +351*******");
        }
    }

    /** A verification resent once answers with its second send: sendCount 2, the new expiry, when to resend next. */
    @Test
    void aResentVerificationAnswersWithItsSecondSend_onEveryLifecycleInstance() throws Exception {
        String id = "status-resent-" + e2e.runId();
        String phone = e2e.nextPhoneNumber();
        e2e.inputs().send(Inputs.request(id, phone).setTtlSeconds(60).build());
        VerificationSent first = awaitSent(id);
        Instant open = first.getOccurredAt().plus(E2eStack.RESEND_COOLDOWN).plusMillis(100);
        await("the resend cooldown").atMost(E2eStack.RESEND_COOLDOWN.plusSeconds(5))
                .pollInterval(Duration.ofMillis(100)).until(() -> Instant.now().isAfter(open));
        e2e.inputs().send(Inputs.resend(id, "e2e"));
        await("the second send of " + id).atMost(WAIT)
                .until(() -> outcomes.events(id, topics.sent.name()).size() == 2);
        VerificationSent second = (VerificationSent) outcomes.events(id, topics.sent.name()).get(1).value();
        assertThat(second.getSendCount()).isEqualTo(2);
        List<String> secrets = new ArrayList<>(await().atMost(Duration.ofSeconds(10))
                .until(() -> sandbox.codesSentTo(phone), codes -> codes.size() == 2));
        secrets.add(phone.substring(1));
        secrets.add(SandboxClient.egoiForm(phone));
        secrets.add(second.getProviderRequestId());

        for (int instance = 1; instance <= e2e.stack().config().lifecycles(); instance++) {
            int port = e2e.stack().config().ports().lifecycleBase() + instance;
            HttpResponse<String> r = await("status of " + id + " on lifecycle-" + port).atMost(Duration.ofSeconds(15))
                    .until(() -> get(port, id), x -> x.statusCode() == 200 && x.body().contains("\"sendCount\":2"));
            JsonNode answer = JSON.readTree(r.body());
            assertThat(answer.path("status").asText()).isEqualTo("SENT");
            assertThat(answer.path("phoneNumberMasked").asText()).isEqualTo(second.getPhoneNumberMasked());
            assertThat(Instant.parse(answer.path("expiresAt").asText())).isEqualTo(second.getExpiresAt());
            // The next resend: a cooldown after the second send (whose call started before its VerificationSent).
            Instant resendAt = Instant.parse(answer.path("resendAvailableAt").asText());
            assertThat(resendAt).isAfter(first.getOccurredAt().plus(E2eStack.RESEND_COOLDOWN))
                    .isBeforeOrEqualTo(second.getOccurredAt().plus(E2eStack.RESEND_COOLDOWN));
            assertThat(answer.path("attemptsRemaining").asInt()).isPositive();
            assertThat(answer.path("terminal").asBoolean()).isFalse();
            for (String secret : secrets) {
                assertThat(r.body()).doesNotContain(secret);
            }
        }
    }

    private static VerificationSent awaitSent(String id) {
        await("a sent record for " + id).atMost(WAIT).until(() -> !outcomes.events(id, topics.sent.name()).isEmpty());
        return (VerificationSent) outcomes.events(id, topics.sent.name()).get(0).value();
    }

    private static HttpResponse<String> get(int port, String id) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/verifications/" + id))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code java -jar egoi-verify.jar status --url ... <id>}: its standard output, once it exited 0. */
    private static String statusCommand(int port, String id) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", e2e.stack().config().appJar().toString(),
                "status", "--url", "http://127.0.0.1:" + port, id);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        System.getenv().keySet().stream().filter(k -> k.startsWith("EGOI_VERIFY_"))
                .forEach(builder.environment()::remove);
        Process p = builder.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
