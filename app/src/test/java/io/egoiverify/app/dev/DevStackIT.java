package io.egoiverify.app.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.SettingsLoader;
import io.egoiverify.events.CodeType;
import io.egoiverify.worker.sandbox.Faults;
import io.egoiverify.worker.sandbox.OutboxEntry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * One dev stack (real broker, sandbox, lifecycle, worker, ops server on loopback) for two checks: health and metrics
 * over HTTP, and that no submitted code, API key or full phone number reaches the logs during a real flow.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DevStackIT {
    private static final String API_KEY = "ak-Zq81-test-secret";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static DevStack stack;
    private static ListAppender<ILoggingEvent> logs;
    private static final List<String> touched = new ArrayList<>();
    /** WARN and ERROR lines logged while the stack started. */
    private static List<String> startWarnings;

    @BeforeAll
    static void start() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        logs = new ListAppender<>();
        logs.setContext(ctx);
        logs.start();
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(logs);
        // As chatty as an operator could make it, short of Kafka's own DEBUG (which logs only bytes sizes).
        ctx.getLogger("io.egoiverify").setLevel(Level.TRACE);
        ctx.getLogger("org.apache.hc").setLevel(Level.DEBUG);
        ctx.getLogger("org.apache.kafka").setLevel(Level.INFO);
        var settings = DevStack.devDefaults(SettingsLoader.load(null, Map.of(), Map.of(
                "dev.kafka-port", "0", "dev.sandbox-port", "0", "ops.port", "0", "profile.default.api-key", API_KEY)));
        stack = DevStack.start(AppConfig.from(settings, Mode.DEV), Duration.ofSeconds(60));
        // Kafka's and our threads keep logging: read the list under the appender's own lock (doAppend holds it)
        synchronized (logs) {
            startWarnings = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(logs);
        ctx.getLogger("io.egoiverify").setLevel(null);
        ctx.getLogger("org.apache.hc").setLevel(null);
        ctx.getLogger("org.apache.kafka").setLevel(null);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + stack.runtime().opsPort() + path);
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String verify(String id, String phone, boolean wrongFirst) throws Exception {
        stack.publisher().request(id, phone, CodeType.ALPHANUMERIC, 8, null, null, null, Map.of());
        assertThat(stack.outcomes().await(id, o -> o.kind() == Outcome.Kind.SENT, Duration.ofSeconds(30))).isPresent();
        String egoiForm = phone.substring(1, 4) + "-" + phone.substring(4);
        String code = stack.sandbox().lastCode(egoiForm).orElseThrow();
        if (wrongFirst) {
            stack.publisher().submit(id, code.substring(0, 7) + (code.endsWith("Z") ? "Y" : "Z"), null);
            assertThat(stack.outcomes().await(id, o -> o.kind() == Outcome.Kind.CODE_REJECTED,
                    Duration.ofSeconds(30))).isPresent();
        }
        stack.publisher().submit(id, code, null);
        assertThat(stack.outcomes().await(id, Outcome::terminal, Duration.ofSeconds(30)))
                .map(Outcome::kind).contains(Outcome.Kind.VERIFIED);
        return code;
    }

    @Test
    void aCleanStartWarnsAboutNothing() {
        // a newcomer's first `dev` must not begin with warnings: Kafka's that are expected on every dev start are
        // silenced around their step (KafkaNoise), and the state directory is not under the OS temp directory
        assertThat(startWarnings).isEmpty();
        assertThat(stack.config().kafka().get("state.dir").toString())
                .doesNotStartWith(System.getProperty("java.io.tmpdir"));
    }

    @Test
    void healthAndMetricsOverHttp() throws Exception {
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("\"status\":\"UP\"");
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/health/ready").statusCode() == 200);
        assertThat(get("/health/ready").body()).contains("\"lifecycle\":{\"status\":\"UP\"")
                .contains("\"worker\":{\"status\":\"UP\"");

        verify("ops-1", "+351910000051", false);
        // an unreadable command (dead-lettered by the worker) and a send that E-goi rate-limits on every call
        try (var raw = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
                "bootstrap.servers", stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(stack.config().topics().commands(), "ops-x".getBytes(), "not avro".getBytes()))
                    .get(10, TimeUnit.SECONDS);
        }
        stack.sandbox().setFaults(Faults.none().withRateLimit(1.0, 1));
        try {
            stack.publisher().request("ops-2", "+351910000052", null, null, null, null, null, Map.of());
            assertThat(stack.outcomes().await("ops-2", Outcome::terminal, Duration.ofSeconds(30)))
                    .map(Outcome::kind).contains(Outcome.Kind.FAILED);
        } finally {
            stack.sandbox().setFaults(Faults.none());
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> metrics = get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(metrics.body())
                    // provider calls by operation and status, with a latency histogram
                    .contains("egoi_calls_seconds_bucket{")
                    .containsPattern(metric("egoi_calls_seconds_count", "operation=\"send\"[^}]*status=\"sent\""))
                    // V2 (the dev default): a validate has no verdict of its own, the status call says verified
                    .containsPattern(metric("egoi_calls_seconds_count",
                            "operation=\"validate\"[^}]*status=\"unconfirmed\""))
                    .containsPattern(metric("egoi_calls_seconds_count",
                            "operation=\"status\"[^}]*status=\"verified\""))
                    .containsPattern(metric("egoi_calls_seconds_count",
                            "operation=\"send\"[^}]*status=\"rate_limited\"") + " [3-9]")
                    .containsPattern(metric("egoi_calls_in_flight", "") + " 0")
                    // exact retries: the rate-limited send was retried (429 is "not processed": up to 8 attempts)
                    .containsPattern(metric("egoi_retries_total", "cause=\"rate_limited\"[^}]*operation=\"send\"")
                            + " [2-9]\\.0")
                    // commands: in flight, answered by status (with or without a call), dead-lettered
                    .containsPattern(metric("worker_commands_in_flight", "") + " 0")
                    .containsPattern(metric("worker_commands_answered_total",
                            "provider_called=\"true\"[^}]*status=\"sent\"") + " [1-9]")
                    .containsPattern(metric("worker_commands_answered_total",
                            "provider_called=\"true\"[^}]*status=\"verified\"") + " [1-9]")
                    .containsPattern(metric("worker_commands_answered_total",
                            "provider_called=\"false\"[^}]*status=\"deadline_passed\"") + " 0")
                    .containsPattern(metric("worker_commands_dead_lettered_total",
                            "reason=\"InvalidWireFormatException\"") + " 1\\.0")
                    // circuit breaker state (resilience4j's binder)
                    .containsPattern(metric("resilience4j_circuitbreaker_state", "name=\"egoi\"[^}]*"
                            + "state=\"closed\"") + " 1\\.0")
                    // outcomes by type, from the lifecycle's Kafka Streams topic metrics
                    .containsPattern(metric("verification_outcomes_total", "type=\"verified\"") + " [1-9]")
                    .containsPattern(metric("verification_outcomes_total", "type=\"sent\"") + " [1-9]")
                    .containsPattern(metric("verification_outcomes_total", "type=\"failed\"") + " [1-9]")
                    .containsPattern(metric("verification_lifecycle_dead_letters_total", ""))
                    // failures by reason (the rate-limited send above), inputs by type, readiness
                    .containsPattern(metric("verification_failures_total", "reason=\"provider_unavailable\"")
                            + " [1-9]")
                    .containsPattern(metric("verification_failures_total", "reason=\"rate_limited\"") + " 0")
                    .containsPattern(metric("verification_inputs_total", "type=\"requested\"") + " [1-9]")
                    .containsPattern(metric("verification_inputs_total", "type=\"code_submitted\"") + " [1-9]")
                    .containsPattern(metric("health_ready", "") + " 1\\.0")
                    // per-number limits are on in dev mode: every send above was granted by the number guard
                    .containsPattern(metric("verification_sends_granted_total", "") + " [1-9]")
                    // expiry lag histogram (bound; no expiry happens in this test)
                    .containsPattern(metric("verification_expiry_lag_seconds_count", ""))
                    .contains("verification_expiry_lag_seconds_bucket{")
                    .containsPattern(metric("verification_sends_refused_total", "limit=\"sends-per-number\""))
                    // Kafka client metrics (Micrometer's binders): the worker's consumer and producer, Kafka Streams
                    .containsPattern(metric("kafka_consumer_fetch_manager_records_consumed_total",
                            "client_id=\"egoi-verify-dev-worker-consumer\""))
                    .containsPattern(metric("kafka_producer_record_send_total",
                            "client_id=\"egoi-verify-dev-worker-producer\""))
                    .contains("kafka_stream_thread_")
                    .contains("jvm_memory_used_bytes");
        });
    }

    /** A Prometheus sample line of {@code name} whose labels match {@code labels} (a regex, labels sorted by key). */
    private static String metric(String name, String labels) {
        return "(?m)^" + name + "\\{[^}]*" + labels + "[^}]*\\}";
    }

    @Test
    void thePromptPublishesAndShowsTheOutbox() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        boolean quit = new DevPrompt(stack, out).run(new java.io.ByteArrayInputStream(
                "request prompt-1 +351910000081\nbogus\nsubmit prompt-1\nquit\n".getBytes()));
        assertThat(quit).isTrue();
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("requested prompt-1")
                .contains("unknown command 'bogus'").contains("usage: submit <requestId> <code>");
        assertThat(stack.outcomes().await("prompt-1", o -> o.kind() == Outcome.Kind.SENT, Duration.ofSeconds(30)))
                .isPresent();
        bytes.reset();
        // Right after the first code a resend is inside the 30 s cooldown: refused, with when to try again.
        new DevPrompt(stack, out).run(new java.io.ByteArrayInputStream("resend prompt-1\nresend\n".getBytes()));
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("resend requested for prompt-1")
                .contains("usage: resend <requestId>");
        assertThat(stack.outcomes().await("prompt-1", o -> o.kind() == Outcome.Kind.RESEND_REJECTED,
                Duration.ofSeconds(30))).map(Outcome::label).contains("RESEND_REJECTED(COOLDOWN)");
        bytes.reset();
        new DevPrompt(stack, out).run(new java.io.ByteArrayInputStream("outbox\n".getBytes()));
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("351-910000081");
    }

    @Test
    void noCodeApiKeyOrFullPhoneNumberIsLogged() throws Exception {
        verify("secret-1", "+351910000061", true);
        verify("secret-2", "+351910000062", false);
        stack.publisher().request("secret-3", "+351910000063", null, null, null, null, null, Map.of());
        assertThat(stack.outcomes().await("secret-3", o -> o.kind() == Outcome.Kind.SENT, Duration.ofSeconds(30)))
                .isPresent();
        stack.publisher().cancel("secret-3", "test");
        assertThat(stack.outcomes().await("secret-3", Outcome::terminal, Duration.ofSeconds(30))).isPresent();

        List<String> secrets = new ArrayList<>(List.of(API_KEY,
                stack.config().settings().string("abuse.hmac-key"))); // dev mode's random per-number HMAC key
        for (OutboxEntry e : stack.sandbox().outbox()) {
            secrets.add(e.code());
        }
        for (String n : List.of("351910000061", "351910000062", "351910000063")) {
            secrets.add(n);
            secrets.add(n.substring(0, 3) + "-" + n.substring(3));
            secrets.add(n.substring(3));
        }
        List<String> lines;
        synchronized (logs) {
            lines = logs.list.stream().map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
        }
        assertThat(lines).as("captured log lines").hasSizeGreaterThan(20);
        for (String secret : secrets) {
            assertThat(lines).as("log lines containing a secret").noneMatch(l -> l.contains(secret));
        }
    }
}
