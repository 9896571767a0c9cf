package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.read.ListAppender;
import io.egoiverify.app.AppContext;
import io.egoiverify.app.CliRun;
import io.egoiverify.app.Main;
import io.egoiverify.app.dev.EmbeddedKafka;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.testing.KafkaClusterExtension;
import io.egoiverify.testing.TestPki;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production commands against a broker reached only through a SASL_SSL listener (SCRAM-SHA-512, certificate from a
 * CA made for the run), configured as a user would: {@code EGOI_VERIFY_KAFKA_*} environment variables, the JAAS
 * setting from a file. {@code run --role all} (lifecycle with its admin checks and number guard, Kafka Streams, the
 * worker's consumer, transactional producer and admin) becomes ready and verifies a code end to end; {@code publish},
 * {@code tail}, {@code status} and {@code dlq list} work; a wrong password stops {@code run} with exit code 1 naming
 * the failed authentication. Neither the password, the JAAS setting nor the trust store's password reaches any output
 * or log line.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class SaslSslIT {
    private static final String USER = "egoi-verify";
    /** New every run: a fixed one could turn up in a log by chance and hide a leak. */
    private static final String PASSWORD = "scram-" + UUID.randomUUID();
    private static final String PHONE = "+351910000081";

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension().withScramOverTls();

    private static EgoiSandbox sandbox;
    /** Kafka's loggers whose every line the secrets check reads. */
    private static final Map<String, Level> CHATTY = Map.of("org.apache.kafka.common.config", Level.INFO,
            "org.apache.kafka.common.security", Level.DEBUG, "org.apache.kafka.clients", Level.INFO,
            "org.apache.kafka.streams", Level.INFO);
    private static ListAppender<ILoggingEvent> logs;
    private static ConsoleAppender<ILoggingEvent> console;
    private static Path secrets;
    /** Every command's output, for the secrets check. */
    private static final List<String> outputs = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        logs = new ListAppender<>();
        logs.setContext(ctx);
        logs.start();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(logs);
        // Every client's configuration dump (AbstractConfig) and Kafka's security and client logs, captured in full;
        // only their warnings and errors go to the console, as with the test logging's WARN.
        console = new ConsoleAppender<>();
        console.setContext(ctx);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
        encoder.start();
        console.setEncoder(encoder);
        ThresholdFilter warnings = new ThresholdFilter();
        warnings.setLevel("WARN");
        warnings.start();
        console.addFilter(warnings);
        console.start();
        CHATTY.forEach((name, level) -> {
            var logger = ctx.getLogger(name);
            logger.setLevel(level);
            logger.setAdditive(false);
            logger.addAppender(logs);
            logger.addAppender(console);
        });
        sandbox = new EgoiSandbox().start("127.0.0.1", 0);
        KAFKA.addScramUser(USER, PASSWORD);
        secrets = Files.createTempDirectory("sasl-it-secrets");
    }

    @AfterAll
    static void stop() throws Exception {
        if (sandbox != null) {
            sandbox.close();
        }
        if (secrets != null) { // the run's password in a JAAS file: not left in /tmp
            try (Stream<Path> files = Files.walk(secrets)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(logs);
        CHATTY.keySet().forEach(name -> {
            var logger = ctx.getLogger(name);
            logger.detachAppender(logs);
            logger.detachAppender(console);
            logger.setAdditive(true);
            logger.setLevel(null);
        });
        console.stop();
        ctx.getLogger("io.egoiverify").setLevel(null); // log.level=debug of the commands run here
    }

    /** What an operator sets for a SASL_SSL cluster: only the secured listener's address, secrets from files. */
    private static Map<String, String> env(String prefix, int opsPort, String password) throws Exception {
        Path jaas = Files.createTempFile(secrets, "jaas-", ".conf");
        Files.writeString(jaas, KafkaClusterExtension.scramJaasConfig(USER, password) + "\n");
        Path truststorePassword = Files.createTempFile(secrets, "truststore-password-", ".txt");
        Files.writeString(truststorePassword, TestPki.PASSWORD + "\n");
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", KAFKA.secureBootstrapServers());
        env.put("EGOI_VERIFY_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("EGOI_VERIFY_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("EGOI_VERIFY_KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString());
        env.put("EGOI_VERIFY_KAFKA_SSL_TRUSTSTORE_LOCATION", KAFKA.pki().truststoreP12.toString());
        env.put("EGOI_VERIFY_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        env.put("EGOI_VERIFY_KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE", truststorePassword.toString());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "mock://sasl-it-" + prefix);
        env.put("EGOI_VERIFY_EGOI_BASE_URL", sandbox.baseUrl(Dialect.V2).toString());
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "sasl-it-key");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", "sasl-it-hmac-key-of-at-least-32-bytes-012");
        env.put("EGOI_VERIFY_TOPICS_PREFIX", prefix);
        env.put("EGOI_VERIFY_OPS_PORT", Integer.toString(opsPort));
        env.put("EGOI_VERIFY_LOG_LEVEL", "debug");
        env.put("EGOI_VERIFY_LIFECYCLE_APPLICATION_ID", prefix + "lifecycle");
        env.put("EGOI_VERIFY_WORKER_GROUP_ID", prefix + "worker");
        env.put("EGOI_VERIFY_WORKER_TRANSACTIONAL_ID", prefix + "worker-1");
        env.put("EGOI_VERIFY_KAFKA_STATE_DIR", Files.createTempDirectory("sasl-it").toString());
        return env;
    }

    private static TopicNames topics(String prefix) {
        // created by the operator (here over the harness's PLAINTEXT listener); the service only checks them
        TopicNames names = TopicNames.withPrefix(prefix);
        KAFKA.createTopics(2, names.all().values().toArray(String[]::new));
        return names;
    }

    private static CliRun cli(Map<String, String> env, String stdin, String... args) {
        CliRun r = CliRun.of(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
        record(r);
        return r;
    }

    private static void record(CliRun r) {
        synchronized (outputs) {
            outputs.add(r.out());
            outputs.add(r.err());
        }
    }

    private static int status(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void theServiceAndItsCommandsWorkOnlyThroughSaslSsl() throws Exception {
        TopicNames names = topics("ok.");
        int port = EmbeddedKafka.freePort();
        Map<String, String> env = env("ok.", port, PASSWORD);
        Live run = Live.start(env, "run", "--role", "all");
        await().atMost(Duration.ofSeconds(60)).until(() -> status(port, "/health/ready") == 200 || run.isDone());
        assertThat(run.isDone()).as(run::err).isFalse();

        // tail follows the outcomes (read_committed) through the secured listener while the flow runs
        Live tail = Live.start(env, "tail", "--from-beginning");
        CliRun requested = cli(env, PHONE + "\n", "publish", "request", "-r", "sasl-1", "-p", "-");
        assertThat(requested.exitCode()).as(requested.err()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> tail.out().contains("sasl-1") || tail.isDone());
        assertThat(tail.out()).as(tail::err).contains("SENT");
        String code = sandbox.lastCode(PHONE.substring(1, 4) + "-" + PHONE.substring(4)).orElseThrow();
        CliRun submitted = cli(env, code + "\n", "publish", "submit", "-r", "sasl-1", "-c", "-");
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> tail.out().contains("VERIFIED") || tail.isDone());
        assertThat(tail.out()).as(tail::err).contains("VERIFIED").contains("sasl-1");

        // the status query answers from the lifecycle's state
        CliRun status = cli(env, "", "status", "--url", "http://127.0.0.1:" + port, "sasl-1");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("VERIFIED");

        // a request that is not Avro: the lifecycle dead-letters it, dlq list reads it back
        Map<String, Object> producerProps = KAFKA.secureClientProps(USER, PASSWORD);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(names.requested(), "not-avro".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        List<CliRun> lists = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            CliRun list = cli(env, "", "dlq", "list");
            lists.add(list);
            return list.exitCode() != 0 || list.out().contains("1 dead letter(s)");
        });
        CliRun list = lists.get(lists.size() - 1);
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains("from " + names.requested() + " ");
        CliRun topicsCheck = cli(env, "", "topics", "check");
        assertThat(topicsCheck.exitCode()).as(topicsCheck.out() + topicsCheck.err()).isZero();
        assertThat(topicsCheck.out()).contains("14 topics: 0 error(s)");

        tail.stop();
        run.stop();
        assertThat(tail.exitCode()).as(tail.err()).isZero();
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertNoSecretAnywhere();
    }

    @Test
    void aWrongPasswordStopsRunWithExitCode1NamingTheAuthentication() throws Exception {
        topics("bad.");
        // the lifecycle's topic checks come first with both roles; the worker's own clients only with role worker
        for (String role : List.of("all", "worker")) {
            Live run = Live.start(env("bad.", 0, "not-" + PASSWORD), "run", "--role", role);
            if (!run.awaitExit(Duration.ofSeconds(60))) {
                run.stop();
                throw new AssertionError("run --role " + role + " with a wrong password was still running after "
                        + "60 s; stderr: " + run.err());
            }
            assertThat(run.exitCode()).as(role).isEqualTo(1);
            assertThat(run.err()).as(role).startsWith("error: ")
                    .contains("SaslAuthenticationException: Authentication failed");
        }
        assertNoSecretAnywhere();
    }

    @Test
    void aWrongPasswordEndsTheClientCommandsWithExitCode1NamingTheAuthentication() throws Exception {
        topics("badc.");
        Map<String, String> env = env("badc.", 0, "not-" + PASSWORD);
        for (String[] args : List.of(new String[] {"publish", "request", "-r", "bad-1", "-p", PHONE},
                new String[] {"tail"}, new String[] {"dlq", "list"}, new String[] {"topics", "check"})) {
            CliRun r = cli(env, "", args);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(1);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("error: ").contains("Authentication failed");
        }
        assertNoSecretAnywhere();
    }

    private static void assertNoSecretAnywhere() {
        String jaas = KafkaClusterExtension.scramJaasConfig(USER, PASSWORD);
        List<String> lines;
        synchronized (logs) {
            lines = logs.list.stream().map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
        }
        // not vacuous: the clients' configuration dumps were captured, with the secret masked
        assertThat(lines).anyMatch(l -> l.contains("security.protocol = SASL_SSL")
                && l.contains("sasl.jaas.config = [hidden]"));
        synchronized (outputs) {
            assertThat(outputs).isNotEmpty().allSatisfy(o -> assertThat(o).doesNotContain(PASSWORD)
                    .doesNotContain(jaas).doesNotContain("ScramLoginModule").doesNotContain(TestPki.PASSWORD));
        }
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain(PASSWORD).doesNotContain(jaas)
                .doesNotContain("password=\"").doesNotContain(TestPki.PASSWORD));
    }

    /** A command running in-process whose output can be read while it runs; {@link #stop()} is its SIGTERM. */
    private static final class Live {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final CompletableFuture<Void> stopSignal = new CompletableFuture<>();
        private final CompletableFuture<Integer> exit;

        private Live(Map<String, String> env, String... args) {
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            exit = CompletableFuture.supplyAsync(() -> Main.execute(new AppContext(o, e,
                    new ByteArrayInputStream(new byte[0]), env, false, stopSignal), args));
        }

        static Live start(Map<String, String> env, String... args) {
            return new Live(env, args);
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        boolean isDone() {
            return exit.isDone();
        }

        boolean awaitExit(Duration timeout) {
            try {
                exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                if (exit.isDone()) {
                    record(new CliRun(exit.join(), out(), err()));
                }
            }
        }

        void stop() {
            stopSignal.complete(null);
            assertThat(awaitExit(Duration.ofSeconds(60))).as("stopped within 60 s").isTrue();
        }

        int exitCode() {
            return exit.join();
        }
    }
}
