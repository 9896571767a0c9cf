package io.egoiverify.app.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoiverify.app.CliRun;
import io.egoiverify.app.query.Verifications.Kind;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.testing.KafkaClusterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The status query on a real broker with two lifecycle instances in this JVM (distinct state directories and
 * operations ports): every key asked from both instances (answered locally or fetched from its owner), and again
 * while one instance leaves and a new one joins and restores. Every answer is right or a 503 with Retry-After,
 * never wrong; no answer holds a code, a full number or E-goi's id; a query without the token gets 401. A resent
 * verification shows its second code (sendCount, expiresAt, resendAvailableAt from the lifecycle's resend state).
 * Run on both rebalance protocols of Kafka Streams; on the streams protocol (KIP-1071) Kafka 4.3.1's metadata named
 * a wrong partition while b left, and a answered 404 for verifications that existed until {@code StatusQuery}
 * checked the partition (seen failing in 3 of 3 runs before).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StatusQueryIT {
    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension().withProductionFeatures();
    private static final String TOKEN = "status-it-token-0123456789";
    /** The token a rotation moves to: accepted by a and b as their second, sent by c. */
    private static final String NEXT = "status-it-next-token-9876543210";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
    /** Every body any instance answered: none may hold a secret. */
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> wrong = new CopyOnWriteArrayList<>();
    /** The step of the test an answer came in, for the failure message. */
    private volatile String phase = "stable";

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /** How one pass over every key went on one instance. */
    private record Pass(int right, int unavailable, int local, int forwarded, int unreachable) {
        boolean allRight(int keys) {
            return right == keys;
        }
    }

    /**
     * On both of Kafka's rebalance protocols for Kafka Streams: {@code classic} (the default) and {@code streams}
     * (KIP-1071, on by default in Kafka 4.2+ brokers), where the broker assigns the tasks and the lifecycle's standby
     * replicas and timings are configs of its group.
     */
    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "streams"})
    void everyKeyAnswersOnBothInstancesAndThroughARebalance(String protocol) throws Exception {
        String prefix = "sq." + protocol + ".";
        TopicNames names = TopicNames.withPrefix(prefix);
        KAFKA.createTopics(4, names.all().values().toArray(String[]::new));
        // A token rotation under way: a and b send TOKEN and accept NEXT too; c, restarted later, sends NEXT and
        // accepts TOKEN too. Every hop between them must still be answered.
        Map<String, String> common = Map.of("EGOI_VERIFY_KAFKA_GROUP_PROTOCOL", protocol,
                "EGOI_VERIFY_LIFECYCLE_STANDBY_REPLICAS", "1");
        Map<String, String> deployment = LifecycleInstance.deployment(KAFKA.bootstrapServers(), prefix,
                with(common, "EGOI_VERIFY_QUERY_AUTH_TOKEN", TOKEN, "EGOI_VERIFY_QUERY_SECOND_AUTH_TOKEN", NEXT));
        Map<String, String> rotated = LifecycleInstance.deployment(KAFKA.bootstrapServers(), prefix,
                with(common, "EGOI_VERIFY_QUERY_AUTH_TOKEN", NEXT, "EGOI_VERIFY_QUERY_SECOND_AUTH_TOKEN", TOKEN));
        LifecycleInstance a = start("a", deployment);
        LifecycleInstance b = start("b", deployment);
        await().atMost(LifecycleInstance.startTimeout()).until(() -> a.runtime.isReady() && b.runtime.isReady());
        if (protocol.equals("streams")) {
            assertStreamsGroup(prefix + "lifecycle");
        }

        Verifications v = new Verifications(KAFKA.bootstrapServers(), a.runtime.topics(), prefix + "test-worker");
        closeables.add(v);
        for (Kind k : Kind.values()) {
            v.add("", k, 6);
        }
        v.drive(() -> v.ids(Kind.SENT, Kind.RESENT, Kind.CHECKING, Kind.VERIFIED).stream()
                .allMatch(id -> "SENT".equals(statusOf(a, id))), Duration.ofSeconds(60));
        settle("every key settled", Duration.ofSeconds(60), () -> pass(a, v).allRight(v.kinds.size()));
        wrong.clear();  // answers before the inputs were all folded are not wrong, only early

        // Stable group: each instance answers every key, part from its own state, the rest from the other one.
        for (LifecycleInstance i : List.of(a, b)) {
            Pass p = pass(i, v);
            assertThat(wrong).as("wrong answers from %s", i.name).isEmpty();
            assertThat(p.right()).as("right answers from %s", i.name).isEqualTo(v.kinds.size());
            assertThat(p.local()).as("answered from %s's own state", i.name).isPositive();
            assertThat(p.forwarded()).as("fetched by %s from the other instance", i.name).isPositive();
        }

        // b leaves (SIGTERM's sequence); a keeps answering, right or 503, never wrong.
        phase = "b leaves";
        CompletableFuture<Void> bStops = CompletableFuture.runAsync(b::close);
        closeables.remove(b);
        AtomicInteger unavailable = new AtomicInteger();
        while (!bStops.isDone()) {
            unavailable.addAndGet(pass(a, v).unavailable());
            pass(b, v);
        }
        bStops.get(60, TimeUnit.SECONDS);
        settle("a alone answers every key", Duration.ofSeconds(60), () -> {
                    Pass p = pass(a, v);
                    unavailable.addAndGet(p.unavailable());
                    return p.allRight(v.kinds.size());
                });

        // c joins with an empty state directory (and the next token): it restores from the changelogs while both
        // are asked.
        phase = "c joins";
        LifecycleInstance c = start("c", rotated);
        settle("a and c answer every key", Duration.ofSeconds(120), () -> {
                    Pass pa = pass(a, v);
                    Pass pc = pass(c, v);
                    unavailable.addAndGet(pa.unavailable() + pc.unavailable());
                    return c.runtime.isReady() && pa.allRight(v.kinds.size()) && pc.allRight(v.kinds.size())
                            && pa.forwarded() > 0 && pc.forwarded() > 0;
                });
        assertThat(wrong).as("answers that were neither right nor 503 with Retry-After").isEmpty();
        // Mid-rotation, each forwards to the other with its own token, and callers may hold either token.
        for (LifecycleInstance i : List.of(a, c)) {
            assertThat(pass(i, v).forwarded()).as("fetched by %s from the other instance", i.name).isPositive();
            String sent = v.ids(Kind.SENT).iterator().next();
            assertThat(get(i, sent, "Bearer " + NEXT).statusCode()).as("%s with the next token", i.name)
                    .isEqualTo(200);
        }
        assertThat(wrong).isEmpty();
        System.out.printf("status query through the rebalance: %d answers were 503 with Retry-After, none wrong%n",
                unavailable.get());

        assertThat(bodies).isNotEmpty();
        for (String secret : v.secrets()) {
            assertThat(bodies).as("no answer holds a code, a full number or E-goi's id")
                    .noneMatch(body -> body.contains(secret));
        }

        // Without the token: 401, on the local and the forwarding path alike; an unknown id: 404.
        for (String id : List.of(v.kinds.keySet().iterator().next(), "never-seen")) {
            HttpResponse<String> r = get(a, id, null);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h)
                    .startsWith("Bearer"));
            assertThat(get(a, id, "Bearer wrong-token-0123456789").statusCode()).isEqualTo(401);
        }
        assertThat(get(a, "never-seen", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
        assertThat(get(c, "never-seen", "Bearer " + TOKEN).statusCode()).isEqualTo(404);

        // The CLI prints the same fields, from either instance.
        String id = v.ids(Kind.CHECKING).iterator().next();
        for (LifecycleInstance i : List.of(a, c)) {
            CliRun run = CliRun.of(Map.of("EGOI_VERIFY_QUERY_URL", i.base(), "EGOI_VERIFY_QUERY_AUTH_TOKEN", TOKEN),
                    "status", id);
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("requestId          " + id).contains("status             CHECKING")
                    .contains("sendCount          1").contains("terminal           false")
                    .doesNotContain(Verifications.CODE);
        }
        CliRun unknown = CliRun.of(Map.of("EGOI_VERIFY_QUERY_URL", a.base(), "EGOI_VERIFY_QUERY_AUTH_TOKEN", TOKEN),
                "status", "never-seen");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.errLines()).hasSize(1).first().asString().contains("no verification with requestId");
        CliRun noToken = CliRun.of(Map.of("EGOI_VERIFY_QUERY_URL", a.base()), "status", id);
        assertThat(noToken.exitCode()).isEqualTo(1);
        assertThat(noToken.err()).contains("unauthorized");
    }

    /**
     * The group the broker runs: the lifecycle's standby replica is a config of the group (Kafka Streams ignores the
     * client's on this protocol) and the broker hands out standby tasks. The lifecycle's 6 s session timeout is not
     * in force: this broker, as Kafka's default ones, allows no streams group a session under 45 s.
     */
    private static void assertStreamsGroup(String groupId) throws Exception {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, groupId);
        Map<String, ConfigEntry> configs = new HashMap<>();
        KAFKA.admin().describeConfigs(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).entries()
                .forEach(e -> configs.put(e.name(), e));
        assertThat(configs.get("streams.num.standby.replicas")).satisfies(e -> {
            assertThat(e.value()).isEqualTo("1");
            assertThat(e.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);
        });
        assertThat(configs.get("streams.session.timeout.ms").source()).as("refused: under the broker's minimum")
                .isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);
        await("standby tasks assigned by the broker").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            StreamsGroupDescription d = KAFKA.admin().describeStreamsGroups(List.of(groupId)).all()
                    .get(30, TimeUnit.SECONDS).get(groupId);
            assertThat(d.members()).hasSize(2);
            assertThat(d.members()).allSatisfy(m -> assertThat(m.assignment().standbyTasks()).isNotEmpty());
        });
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** Awaits {@code condition}; on time-out the last wrong answers say why. */
    private void settle(String what, Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await(what).atMost(atMost).pollInterval(Duration.ofMillis(200)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + " timed out; last wrong answers: "
                    + wrong.subList(Math.max(0, wrong.size() - 5), wrong.size()), e);
        }
    }

    private LifecycleInstance start(String name, Map<String, String> deployment) throws Exception {
        LifecycleInstance i = LifecycleInstance.start(name, deployment);
        closeables.add(0, i);
        return i;
    }

    /** Asks {@code instance} for every key once; records wrong answers and every body. */
    private Pass pass(LifecycleInstance instance, Verifications v) {
        int right = 0;
        int unavailable = 0;
        int local = 0;
        int forwarded = 0;
        int unreachable = 0;
        for (String id : v.kinds.keySet()) {
            HttpResponse<String> r;
            try {
                r = get(instance, id, "Bearer " + TOKEN);
            } catch (Exception e) {
                unreachable++;          // an instance that has stopped answering at all: not an answer
                continue;
            }
            bodies.add(r.body());
            String served = r.headers().firstValue(StatusEndpoint.SERVED_HEADER).orElse("");
            if (r.statusCode() == 503) {
                unavailable++;
                if (r.headers().firstValue("Retry-After").isEmpty()) {
                    wrong.add(instance.name + " " + id + ": 503 without Retry-After");
                }
                continue;
            }
            Map<String, Object> expected = v.expected(id);
            boolean ok = expected == null ? r.statusCode() == 404 : r.statusCode() == 200 && expected.equals(parse(r));
            if (ok) {
                right++;
                local += "local".equals(served) ? 1 : 0;
                forwarded += "forwarded".equals(served) ? 1 : 0;
            } else {
                wrong.add(phase + ": " + instance.name + " " + id + " (" + served + "): " + r.statusCode() + " "
                        + r.body() + " expected " + expected);
            }
        }
        return new Pass(right, unavailable, local, forwarded, unreachable);
    }

    private String statusOf(LifecycleInstance instance, String id) {
        try {
            HttpResponse<String> r = get(instance, id, "Bearer " + TOKEN);
            return r.statusCode() == 200 ? String.valueOf(parse(r).get("status")) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private HttpResponse<String> get(LifecycleInstance instance, String id, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(instance.base() + "/verifications/" + id))
                .timeout(Duration.ofSeconds(5));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> parse(HttpResponse<String> r) {
        try {
            return JSON.readValue(r.body(), new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (Exception e) {
            return Map.of("unparseable", r.body());
        }
    }
}
