package io.egoiverify.e2e.flows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.e2e.client.SandboxClient;
import io.egoiverify.e2e.support.AppCli;
import io.egoiverify.e2e.support.E2eStack;
import io.egoiverify.e2e.support.E2eStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12's done-criterion with the product's own command line, each command its own process against the local
 * stack, exactly as e2e/README.md's walk-through types them: {@code tail} follows the outcomes, {@code publish
 * request|resend|submit} plays the registration service, the sandbox's outbox gives the codes (as {@code curl} does),
 * and {@code status <id>} asks both lifecycle instances where the verification stands.
 */
@ExtendWith(E2eStackExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CliRoundTripIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    /** {@code tail}'s line: time, label, requestId, summary. */
    private static final Pattern LINE = Pattern.compile("^\\S+\\s+(\\S+)\\s+(\\S+)\\s*(.*)$");

    @Test
    void resendRoundTrip_withTheProductsOwnCommands(E2eStack e2e) {
        AppCli cli = new AppCli(e2e.stack().config());
        SandboxClient sandbox = e2e.sandbox();
        String id = "cli-" + e2e.runId();
        String phone = e2e.nextPhoneNumber();
        try (AppCli.Running tail = cli.start(args(cli, "tail", "--from-beginning"))) {
            assertThat(cli.run(args(cli, "publish", "request", "-r", id, "-p", phone, "--max-attempts", "3",
                    "--profile", E2eStack.PATIENT_PROFILE, "--ttl", "180"))) // a TTL beyond the profile's cooldown
                    .contains("published VerificationRequested " + id);
            assertThat(awaitLine(tail, id, "SENT", 1)).contains("code 1 to +351*******");
            String oldCode = sandbox.codesSentTo(phone).get(0);

            cli.run(args(cli, "publish", "resend", "-r", id));
            assertThat(awaitLine(tail, id, "RESEND_REJECTED(COOLDOWN)", 1))
                    .containsPattern("retryAfterSeconds=([1-9]|[1-3][0-9]|4[0-5])\\b");

            // When may the user ask again? The status command says.
            Map<String, String> status = status(cli, 1, id);
            assertThat(status).containsEntry("status", "SENT").containsEntry("sendCount", "1");
            Instant resendAt = Instant.parse(status.get("resendAvailableAt"));
            await("resendAvailableAt " + resendAt).atMost(E2eStack.PATIENT_RESEND_COOLDOWN.plusSeconds(5))
                    .pollInterval(Duration.ofMillis(100)).until(() -> Instant.now().isAfter(resendAt.plusMillis(100)));
            cli.run(args(cli, "publish", "resend", "-r", id, "--reason", "user asked"));
            assertThat(awaitLine(tail, id, "SENT", 2)).contains("code 2 to +351*******");
            List<String> codes = await().atMost(Duration.ofSeconds(10))
                    .until(() -> sandbox.codesSentTo(phone), c -> c.size() == 2);
            assertThat(codes.get(0)).isEqualTo(oldCode);
            String newCode = codes.get(1);
            for (int instance = 1; instance <= e2e.stack().config().lifecycles(); instance++) {
                int i = instance;
                await("status on lifecycle-" + i).atMost(Duration.ofSeconds(15))
                        .until(() -> status(cli, i, id), s -> "2".equals(s.get("sendCount")));
            }

            if (!oldCode.equals(newCode)) { // 1 in a million: the sandbox drew the same code twice
                cli.run(args(cli, "publish", "submit", "-r", id, "-c", oldCode));
                assertThat(awaitLine(tail, id, "CODE_REJECTED(WRONG_CODE)", 1)).contains("attemptsRemaining=2");
            }
            cli.run(args(cli, "publish", "submit", "-r", id, "-c", newCode));
            awaitLine(tail, id, "VERIFIED", 1);

            cli.run(args(cli, "publish", "resend", "-r", id));
            assertThat(awaitLine(tail, id, "RESEND_REJECTED(NOT_ACTIVE)", 1)).contains("retryAfterSeconds=0");
            for (int instance = 1; instance <= e2e.stack().config().lifecycles(); instance++) {
                int i = instance;
                Map<String, String> end = await("final status on lifecycle-" + i).atMost(Duration.ofSeconds(15))
                        .until(() -> status(cli, i, id), s -> "VERIFIED".equals(s.get("status")));
                assertThat(end).containsEntry("sendCount", "2").containsEntry("terminal", "true");
            }

            List<String> mine = tail.lines().stream().filter(l -> l.contains(" " + id + " ")).toList();
            assertThat(labels(mine)).containsExactly("SENT", "RESEND_REJECTED(COOLDOWN)", "SENT",
                    "CODE_REJECTED(WRONG_CODE)", "VERIFIED", "RESEND_REJECTED(NOT_ACTIVE)");
            for (String line : mine) {
                assertThat(line).doesNotContain(phone.substring(1)).doesNotContain(oldCode).doesNotContain(newCode);
            }
            assertThat(sandbox.codesSentTo(phone)).containsExactly(oldCode, newCode);
        }
    }

    private static List<String> args(AppCli cli, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(cli.clusterFlags());
        return all;
    }

    /** {@code egoi-verify status --url <lifecycle i> <id>}, its "field  value" lines as a map. */
    private static Map<String, String> status(AppCli cli, int instance, String id) {
        String out = cli.run(List.of("status", "--url", cli.lifecycleUrl(instance), id));
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String line : out.split("\\R")) {
            String[] kv = line.trim().split("\\s+", 2);
            if (kv.length == 2) {
                fields.put(kv[0], kv[1]);
            }
        }
        assertThat(out).doesNotContainPattern("\\+351\\d{9}");
        return fields;
    }

    /** Waits until {@code tail} printed the {@code n}-th line with this label for the verification; returns it. */
    private static String awaitLine(AppCli.Running tail, String id, String label, int n) {
        return await("tail: " + label + " #" + n + " for " + id).atMost(WAIT).until(() -> {
            assertThat(tail.alive()).as("tail is running").isTrue();
            List<String> matching = tail.lines().stream().filter(l -> label.equals(label(l).orElse(null))
                    && l.contains(" " + id + " ")).toList();
            return matching.size() >= n ? matching.get(n - 1) : null;
        }, line -> line != null);
    }

    private static List<String> labels(List<String> lines) {
        return lines.stream().map(CliRoundTripIT::label).flatMap(Optional::stream).toList();
    }

    private static Optional<String> label(String line) {
        Matcher m = LINE.matcher(line);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
