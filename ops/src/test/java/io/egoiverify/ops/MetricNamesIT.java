package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.SettingsLoader;
import io.egoiverify.app.dev.DevStack;
import io.egoiverify.app.dev.Outcome;
import io.egoiverify.worker.sandbox.Faults;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every metric name a Prometheus rule or a dashboard panel uses is exported by a running instance: the dev stack
 * (broker, sandbox, lifecycle and worker in one process, per-number limits on) after a real flow that makes the
 * lazily registered meters appear: request, sent, a wrong code, verified; a resend refused in its cooldown; a status
 * query answered and one refused; a cancel (which V2 makes at E-goi); a send E-goi rate-limits on every call
 * (retries, a failure); an unreadable record on the command topic and on an input topic (both dead-letter queues). The names come from the rule expressions and the dashboard's targets ({@link KitMetricNames}); each
 * selector's own label matchers must also match an exported sample (a regex on a client id, a status, an area).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MetricNamesIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Labels Prometheus attaches to what it scrapes (Kubernetes service discovery, ServiceMonitor). */
    private static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "instance", "job", "service",
            "container", "endpoint");
    private static DevStack stack;

    @BeforeAll
    static void start() throws Exception {
        var settings = DevStack.devDefaults(SettingsLoader.load(null, Map.of(), Map.of(
                "dev.kafka-port", "0", "dev.sandbox-port", "0", "ops.port", "0")));
        stack = DevStack.start(AppConfig.from(settings, Mode.DEV), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyMetricARuleOrAPanelUsesIsExportedAfterARealFlow() throws Exception {
        Set<String> used = KitMetricNames.exportedNamesUsed();
        Map<String, PromQlNames.Selector> selectors = KitMetricNames.selectorsOnExportedNames();
        assertThat(used).as("metric names used by the rules and the dashboard").hasSizeGreaterThan(10);

        verify("names-1", "+351910000091");
        stack.publisher().request("names-2", "+351910000092", null, null, null, null, null, Map.of());
        awaitOutcome(Outcome.Kind.SENT, "names-2");
        // a resend inside the cooldown (ResendRejected), then the status query: answered, and refused (no id)
        stack.publisher().resend("names-2", "test");
        awaitOutcome(Outcome.Kind.RESEND_REJECTED, "names-2");
        assertThat(get("/verifications/names-2").statusCode()).isEqualTo(200);
        assertThat(get("/verifications/").statusCode()).isEqualTo(404);
        // the cancel reaches E-goi (V2): egoi_cancels_total
        stack.publisher().cancel("names-2", "test");
        awaitOutcome(Outcome.Kind.CANCELLED, "names-2");
        // the worker's cancel call at E-goi finishes after the outcome: before the faults below, or it meets them
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> scrape().contains("egoi_cancels_total{"));
        stack.sandbox().setFaults(Faults.none().withRateLimit(1.0, 1));
        try {
            stack.publisher().request("names-3", "+351910000093", null, null, null, null, null, Map.of());
            awaitOutcome(Outcome.Kind.FAILED, "names-3");
        } finally {
            stack.sandbox().setFaults(Faults.none());
        }
        try (var raw = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(stack.config().topics().commands(), "names-x".getBytes(),
                    "not avro".getBytes())).get(10, TimeUnit.SECONDS);
            raw.send(new ProducerRecord<>(stack.config().topics().requested(), "names-y".getBytes(),
                    "not avro".getBytes())).get(10, TimeUnit.SECONDS);
        }

        AtomicReference<Set<String>> missing = new AtomicReference<>(used);
        AtomicReference<String> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> {
                        last.set(scrape());
                        Exposition exported = Exposition.parse(last.get());
                        Set<String> names = exported.names();
                        Set<String> gaps = used.stream().filter(n -> !names.contains(n))
                                .collect(Collectors.toCollection(TreeSet::new));
                        selectors.forEach((where, sel) -> {
                            if (names.contains(sel.name()) && !exported.matches(sel, TARGET_LABELS)) {
                                gaps.add(where + ": " + sel + " matches no exported sample");
                            }
                        });
                        missing.set(gaps);
                        return gaps.isEmpty();
                    });
        } catch (ConditionTimeoutException e) {
            // reported below with the names
        } finally {
            if (last.get() != null) {
                Path dump = Path.of("target", "metrics-scrape.txt");
                Files.createDirectories(dump.getParent());
                Files.writeString(dump, last.get(), StandardCharsets.UTF_8);
            }
        }
        assertThat(missing.get()).as("names used by a rule or panel but not exported, or selectors that match no "
                + "exported sample (scrape in target/metrics-scrape.txt)").isEmpty();
        // The send latency timer exists from the start; what the flow shows is the lifecycle filling it: two codes sent.
        assertThat(sampleValue(last.get(), "verification_send_latency_seconds_count")).isGreaterThanOrEqualTo(2.0);
    }

    /** The value of the first sample of {@code name} in a scrape. */
    private static double sampleValue(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElseThrow();
    }

    private static void verify(String id, String phone) throws Exception {
        stack.publisher().request(id, phone, null, null, null, null, null, Map.of());
        awaitOutcome(Outcome.Kind.SENT, id);
        String code = stack.sandbox().lastCode(phone.substring(1, 4) + "-" + phone.substring(4)).orElseThrow();
        stack.publisher().submit(id, code.equals("000000") ? "111111" : "000000", null);
        awaitOutcome(Outcome.Kind.CODE_REJECTED, id);
        stack.publisher().submit(id, code, null);
        awaitOutcome(Outcome.Kind.VERIFIED, id);
    }

    private static void awaitOutcome(Outcome.Kind kind, String id) throws InterruptedException {
        assertThat(stack.outcomes().await(id, o -> o.kind() == kind, Duration.ofSeconds(30))).as(kind + " " + id)
                .isPresent();
    }

    private static String scrape() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + stack.runtime().opsPort() + path);
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
