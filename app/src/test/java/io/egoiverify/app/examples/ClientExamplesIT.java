package io.egoiverify.app.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.app.CliRun;
import io.egoiverify.app.dev.DevStack;
import io.egoiverify.app.dev.EmbeddedKafka;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.testing.SchemaRegistryProcess;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/examples/java run the way docs/CLIENTS.md tells a user to run them, {@code java -cp app/target/egoi-verify.jar
 * docs/examples/java/<File>.java ...} with {@code BOOTSTRAP} and {@code REGISTRY} in the environment, each in a JVM of
 * its own, against an in-process KRaft broker with the default topic names, a real registry process (Apicurio, as in
 * the local stack: the examples do not register schemas, {@code egoi-verify schemas register} does), the E-goi sandbox
 * and {@code egoi-verify run --role all}. {@code VerificationOutcomes} follows everything {@code VerificationInputs}
 * causes: a request answered VerificationSent, a resend refused for its cooldown, a cancel, a wrong then the right
 * code, and it exits 0 at the watched verification's terminal outcome (1 when none comes in time).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClientExamplesIT {
    static final Path EXAMPLES = Path.of("..", "docs", "examples", "java").toAbsolutePath().normalize();
    static final String NUMBER_1 = "+351910000081";
    static final String NUMBER_2 = "+351910000082";

    static EmbeddedKafka kafka;
    static EgoiSandbox sandbox;
    static SchemaRegistryProcess registry;
    static CompletableFuture<Void> stopRun = new CompletableFuture<>();
    static CompletableFuture<CliRun> run;
    static final List<Process> examples = new ArrayList<>();

    @BeforeAll
    static void start(@TempDir Path stateDir) throws Exception {
        assertThat(appJar()).as("egoi-verify.jar is built in the package phase, before the ITs").exists();
        registry = SchemaRegistryProcess.start();
        kafka = EmbeddedKafka.start(0, Duration.ofSeconds(60));
        sandbox = new EgoiSandbox().start("127.0.0.1", 0);
        TopicNames names = TopicNames.defaults(); // the examples use the default names
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(names.all().values().stream().map(n -> new NewTopic(n, 2, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
            DevStack.awaitTopics(admin, names.all().values(), Duration.ofSeconds(30));
        }
        Map<String, String> env = serviceEnv(stateDir);
        CliRun registered = CliRun.of(env, "schemas", "register");
        assertThat(registered.exitCode()).as(registered.err()).isZero();

        int opsPort = EmbeddedKafka.freePort();
        env.put("EGOI_VERIFY_OPS_PORT", Integer.toString(opsPort));
        run = CompletableFuture.supplyAsync(() -> CliRun.of(env, new ByteArrayInputStream(new byte[0]), stopRun,
                "run", "--role", "all"));
        await().atMost(Duration.ofSeconds(90)).until(() -> run.isDone() || ready(opsPort));
        assertThat(run.isDone()).as(() -> run.join().err()).isFalse();
    }

    @AfterAll
    static void stop() throws Exception {
        examples.forEach(Process::destroyForcibly);
        stopRun.complete(null);
        if (run != null) {
            CliRun ran = run.get(60, TimeUnit.SECONDS);
            assertThat(ran.exitCode()).as(ran.err()).isZero();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static Map<String, String> serviceEnv(Path stateDir) {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", registry.ccompatUrl());
        env.put("EGOI_VERIFY_EGOI_BASE_URL", sandbox.baseUrl(Dialect.V2).toString());
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "examples-it-key");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", "examples-it-hmac-key-of-at-least-32-bytes-01");
        // long enough that the resend below is refused however slowly the example JVMs start
        env.put("EGOI_VERIFY_LIFECYCLE_RESEND_COOLDOWN", "10m");
        env.put("EGOI_VERIFY_KAFKA_STATE_DIR", stateDir.toString());
        return env;
    }

    private static Path appJar() {
        return Path.of(System.getProperty("egoi.test.app.jar", "target/egoi-verify.jar"));
    }

    private static boolean ready(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code java -cp app/target/egoi-verify.jar docs/examples/java/<file> args...}, output to {@code log}. */
    private static Process launch(String file, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                appJar().toString(), EXAMPLES.resolve(file).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("BOOTSTRAP", kafka.bootstrapServers());
        pb.environment().put("REGISTRY", registry.ccompatUrl());
        Process p = pb.start();
        examples.add(p);
        return p;
    }

    /** Runs {@code VerificationInputs} to its end; its one line says where the record went. */
    private static String inputs(Path dir, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "inputs-", ".log");
        Process p = launch("VerificationInputs.java", log, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("VerificationInputs %s ended", List.of(args)).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void awaitLine(Path log, String... parts) {
        await().atMost(Duration.ofSeconds(90)).until(() -> read(log).lines()
                .anyMatch(l -> List.of(parts).stream().allMatch(l::contains)));
    }

    @Test
    void theInputsExampleDrivesVerificationsThatTheOutcomesExampleReadsBack(@TempDir Path dir) throws Exception {
        Path outcomesLog = dir.resolve("outcomes.log");
        Process outcomes = launch("VerificationOutcomes.java", outcomesLog, "ex-1", "240");
        Path idleLog = dir.resolve("idle.log");
        Process idle = launch("VerificationOutcomes.java", idleLog, "ex-never", "5");

        assertThat(inputs(dir, "request", "ex-1", NUMBER_1)).startsWith("request ex-1 -> verification.requested-");
        assertThat(inputs(dir, "request", "ex-2", NUMBER_2)).startsWith("request ex-2 -> verification.requested-");
        awaitLine(outcomesLog, "verification.sent key=ex-1", "\"phoneNumberMasked\": \"+351*******81\"",
                "\"sendCount\": 1", "\"metadata\": {\"userId\": \"u-42\"}");
        awaitLine(outcomesLog, "verification.sent key=ex-2", "\"sendCount\": 1");

        assertThat(inputs(dir, "resend", "ex-2")).startsWith("resend ex-2 -> verification.resend-requested-");
        awaitLine(outcomesLog, "verification.resend-rejected key=ex-2", "\"reason\": \"COOLDOWN\"");
        assertThat(inputs(dir, "cancel", "ex-2")).startsWith("cancel ex-2 -> verification.cancel-requested-");
        awaitLine(outcomesLog, "verification.cancelled key=ex-2", "\"reason\": null");

        String code = sandbox.lastCode("351-910000081").orElseThrow();
        String wrong = (code.charAt(0) == '9' ? "0" : "9") + code.substring(1);
        assertThat(inputs(dir, "submit", "ex-1", wrong)).startsWith("submit ex-1 -> verification.code-submitted-");
        awaitLine(outcomesLog, "verification.code-rejected key=ex-1", "\"reason\": \"WRONG_CODE\"",
                "\"attemptsRemaining\": 4");
        inputs(dir, "submit", "ex-1", code);

        assertThat(outcomes.waitFor(120, TimeUnit.SECONDS)).as(() -> read(outcomesLog)).isTrue();
        String seen = read(outcomesLog);
        assertThat(outcomes.exitValue()).as("exit 0 at ex-1's terminal outcome:%n%s", seen).isZero();
        assertThat(seen.lines().filter(l -> l.startsWith("verification.")).toList()).last().asString()
                .startsWith("verification.verified key=ex-1").contains("\"attemptsUsed\": 2");
        // what the outcomes carry: a masked number, never the number or a code
        assertThat(seen).doesNotContain("910000081").doesNotContain("910000082").doesNotContain(code);

        assertThat(idle.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(idle.exitValue()).as(read(idleLog)).isEqualTo(1);
        assertThat(read(idleLog)).contains("no terminal outcome for ex-never in time");
    }
}
