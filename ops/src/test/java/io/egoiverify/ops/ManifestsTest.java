package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kubernetes kit, rendered offline by {@code kubectl kustomize} (base and example overlay) and checked for the
 * parts that are easy to get subtly wrong. The settings each container passes are checked by
 * {@link ManifestSettingsTest}.
 */
@Timeout(120)
class ManifestsTest {
    private static final Pattern SECRET_SETTING = Pattern.compile(
            "EGOI_VERIFY_(.*API_KEY|.*HMAC_KEY|BASIC_AUTH_USER_INFO|KAFKA_.*(JAAS|PASSWORD).*)");
    private static Manifests base;
    private static Manifests overlay;

    @BeforeAll
    static void render() throws Exception {
        ExternalTool kubectl = ExternalTool.require("kubectl", "apt-get install kubernetes-client");
        System.out.println("using " + kubectl.version("version", "--client"));
        base = Manifests.render(kubectl, "base");
        overlay = Manifests.render(kubectl, "overlays/example");
    }

    static Stream<Manifests> both() {
        return Stream.of(base, overlay);
    }

    static JsonNode lifecycle(Manifests m) {
        return m.named("StatefulSet", "egoi-verify-lifecycle");
    }

    static JsonNode worker(Manifests m) {
        return m.named("StatefulSet", "egoi-verify-worker");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldGiveEachWorkerPodAStableUniqueTransactionalId(Manifests m) {
        JsonNode w = worker(m);
        assertThat(m.ofKind("Deployment")).as("no worker as a Deployment (pod names change)").isEmpty();
        Set<String> ids = new HashSet<>();
        int replicas = Math.max(3, w.path("spec").path("replicas").asInt());
        for (int i = 0; i < replicas; i++) {
            String pod = Manifests.nameOf(w) + "-" + i;
            Map<String, String> env = PodEnv.of(m, Manifests.mainContainer(w), pod);
            String id = env.get("EGOI_VERIFY_WORKER_TRANSACTIONAL_ID");
            assertThat(id).as("transactional.id of " + pod).isNotBlank().contains(pod).doesNotContain("$(");
            assertThat(PodEnv.of(m, Manifests.mainContainer(w), pod)).as("stable for the same pod")
                    .containsEntry("EGOI_VERIFY_WORKER_TRANSACTIONAL_ID", id);
            ids.add(id);
        }
        assertThat(ids).as("unique per pod").hasSize(replicas);
        assertThat(args(Manifests.mainContainer(w))).containsExactly("run", "--role", "worker");
        // static membership for the worker's consumer too: group.instance.id from the stable pod name
        Set<String> instanceIds = new HashSet<>();
        for (int i = 0; i < replicas; i++) {
            String pod = Manifests.nameOf(w) + "-" + i;
            String id = PodEnv.of(m, Manifests.mainContainer(w), pod).get("EGOI_VERIFY_KAFKA_GROUP_INSTANCE_ID");
            assertThat(id).as("group.instance.id of " + pod).isNotBlank().contains(pod).doesNotContain("$(");
            instanceIds.add(id);
        }
        assertThat(instanceIds).hasSize(replicas);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldGiveEachLifecyclePodPersistentStateStaticMembershipAndItsOwnAddress(Manifests m) {
        JsonNode l = lifecycle(m);
        JsonNode c = Manifests.mainContainer(l);
        assertThat(args(c)).containsExactly("run", "--role", "state");
        Map<String, String> env = PodEnv.of(m, c, Manifests.nameOf(l) + "-1");
        // the state directory is a volume from a claim template: one persistent volume per pod
        String stateDir = env.get("EGOI_VERIFY_KAFKA_STATE_DIR");
        assertThat(stateDir).isNotBlank();
        JsonNode mount = mountAt(c, stateDir);
        Set<String> claims = new HashSet<>(l.path("spec").path("volumeClaimTemplates").findValuesAsText("name"));
        assertThat(claims).as("volumeClaimTemplates").contains(mount.path("name").asText());
        // no static membership for the lifecycle: a crashed pod restarted within the session timeout would keep its
        // tasks and restore them from scratch instead of handing them to the warm standby (e2e/README.md, fail-over)
        assertThat(env).doesNotContainKey("EGOI_VERIFY_KAFKA_GROUP_INSTANCE_ID");
        // application.server: this pod's DNS name under the StatefulSet's headless Service, on the operations port
        String serviceName = l.path("spec").path("serviceName").asText();
        JsonNode service = m.get("Service", serviceName);
        assertThat(service.path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(service.path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
        assertThat(selects(service.path("spec").path("selector"), l)).isTrue();
        // The application sets application.server from ops.advertised-host and the ops port (its own value would
        // override a pass-through EGOI_VERIFY_KAFKA_APPLICATION_SERVER, so none may be left to mislead a reader).
        assertThat(env.get("EGOI_VERIFY_OPS_ADVERTISED_HOST"))
                .isEqualTo(Manifests.nameOf(l) + "-1." + serviceName + "." + m.namespace() + ".svc");
        assertThat(env.getOrDefault("EGOI_VERIFY_OPS_ADVERTISED_PORT", "0")).as("0: the ops port").isIn("0",
                env.get("EGOI_VERIFY_OPS_PORT"));
        for (JsonNode w : m.workloads()) {
            for (JsonNode container : Manifests.containers(w)) {
                assertThat(PodEnv.of(m, container, Manifests.nameOf(w) + "-0"))
                        .doesNotContainKey("EGOI_VERIFY_KAFKA_APPLICATION_SERVER");
            }
        }
        assertThat(l.path("spec").path("podManagementPolicy").asText()).isEqualTo("Parallel");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldServeTheStatusQueryThroughAServiceOverTheReadyLifecyclePods(Manifests m) {
        JsonNode l = lifecycle(m);
        JsonNode service = m.named("Service", "egoi-verify-status");
        JsonNode spec = service.path("spec");
        assertThat(spec.path("clusterIP").asText("")).as("a virtual IP, not headless").isNotEqualTo("None");
        assertThat(spec.path("type").asText("ClusterIP")).isEqualTo("ClusterIP");
        assertThat(spec.path("publishNotReadyAddresses").asBoolean(false)).as("ready pods only").isFalse();
        assertThat(selects(spec.path("selector"), l)).as("selects the lifecycle pods").isTrue();
        assertThat(selects(spec.path("selector"), worker(m))).as("never a worker (it answers 501)").isFalse();
        JsonNode port = spec.path("ports").get(0);
        assertThat(port.path("targetPort").asText()).as("the lifecycle's operations port").isEqualTo("ops");
        assertThat(Manifests.mainContainer(l).path("ports").findValuesAsText("name")).contains("ops");
        // scraped once, through the headless Service: not selected by the ServiceMonitor
        assertThat(service.path("metadata").path("labels").path("egoi-verify/metrics").asText()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldCheckTheWorkersEgoiSettingsOnDemand(Manifests m) {
        JsonNode cron = m.named("CronJob", "egoi-verify-egoi-check");
        assertThat(cron.path("spec").path("suspend").asBoolean()).as("runs on demand (create job --from)").isTrue();
        assertThat(cron.path("spec").path("jobTemplate").path("spec").path("backoffLimit").asInt(-1)).isZero();
        JsonNode check = Manifests.mainContainer(cron);
        assertThat(args(check)).containsExactly("egoi", "check");
        JsonNode w = worker(m);
        assertThat(check.path("image").asText()).isEqualTo(Manifests.mainContainer(w).path("image").asText());
        Map<String, String> checkEnv = egoiSettings(m, cron, check);
        assertThat(checkEnv).as("the check sees the workers' E-goi settings and key")
                .isEqualTo(egoiSettings(m, w, Manifests.mainContainer(w)))
                .containsKeys("EGOI_VERIFY_EGOI_API", "EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID");
    }

    /** The {@code egoi.*} and {@code profile.*} variables of a container, each secret file as what it reads. */
    private static Map<String, String> egoiSettings(Manifests m, JsonNode workload, JsonNode container) {
        Map<String, String> out = new TreeMap<>();
        PodEnv.of(m, container, "x").forEach((k, v) -> {
            if (k.startsWith("EGOI_VERIFY_EGOI_") || k.startsWith("EGOI_VERIFY_PROFILE_")) {
                out.put(k, k.endsWith("_FILE") ? "file:" + PodEnv.secretFile(m, workload, container, k, v,
                        "(secret " + v + ")") : v);
            }
        });
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldProbeTheExistingEndpointsOnTheOperationsPort(Manifests m) {
        for (JsonNode sts : m.ofKind("StatefulSet")) {
            JsonNode c = Manifests.mainContainer(sts);
            Map<String, String> env = PodEnv.of(m, c, Manifests.nameOf(sts) + "-0");
            assertThat(env).containsEntry("EGOI_VERIFY_OPS_HOST", "0.0.0.0");
            int port = Integer.parseInt(env.get("EGOI_VERIFY_OPS_PORT"));
            assertThat(c.path("ports").findValues("containerPort").stream().map(JsonNode::asInt))
                    .as("the ops port is a container port").contains(port);
            assertThat(c.path("ports").get(0).path("name").asText()).isEqualTo("ops");
            assertProbe(c, "livenessProbe", "/health/live");
            assertProbe(c, "startupProbe", "/health/live");
            assertProbe(c, "readinessProbe", "/health/ready");
            Duration shutdown = Duration.ofSeconds(Long.parseLong(env.get("EGOI_VERIFY_SHUTDOWN_TIMEOUT")
                    .replace("s", "")));
            assertThat(Manifests.podSpec(sts).path("terminationGracePeriodSeconds").asLong())
                    .as("SIGKILL comes after the graceful stop").isGreaterThan(shutdown.toSeconds());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldLimitDisruptionsToOnePodPerRole(Manifests m) {
        for (JsonNode sts : m.ofKind("StatefulSet")) {
            List<JsonNode> pdbs = m.ofKind("PodDisruptionBudget").stream()
                    .filter(p -> selects(p.path("spec").path("selector").path("matchLabels"), sts)).toList();
            assertThat(pdbs).as("a PDB for " + Manifests.nameOf(sts)).hasSize(1);
            assertThat(pdbs.get(0).path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldGiveTheLifecycleTheSameSenderProfilesAsTheWorker(Manifests m) {
        // The lifecycle refuses a request naming a profile it does not know, and enforces a profile's policy itself.
        Map<String, String> lifecycle = profileSettings(PodEnv.of(m,
                Manifests.mainContainer(m.named("StatefulSet", "egoi-verify-lifecycle")), "egoi-verify-lifecycle-0"));
        Map<String, String> worker = profileSettings(PodEnv.of(m,
                Manifests.mainContainer(m.named("StatefulSet", "egoi-verify-worker")), "egoi-verify-worker-0"));
        worker.keySet().removeIf(k -> k.endsWith("_API_KEY_FILE")); // the key: the worker's alone
        assertThat(worker).isNotEmpty();
        assertThat(lifecycle).isEqualTo(worker);
    }

    private static Map<String, String> profileSettings(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>(env);
        out.keySet().removeIf(k -> !k.startsWith("EGOI_VERIFY_PROFILE_"));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldPassSecretsOnlyAsMountedFiles(Manifests m) {
        for (JsonNode w : m.workloads()) {
            for (JsonNode c : Manifests.containers(w)) {
                Map<String, String> env = PodEnv.of(m, c, Manifests.nameOf(w) + "-0");
                for (Map.Entry<String, String> e : env.entrySet()) {
                    if (e.getKey().endsWith("_FILE")) {
                        // fails unless a mounted Secret provides the file (its key exists where the Secret renders)
                        PodEnv.secretFile(m, w, c, e.getKey(), e.getValue(), "");
                    } else {
                        assertThat(SECRET_SETTING.matcher(e.getKey()).matches())
                                .as(e.getKey() + " is a secret: pass it as " + e.getKey() + "_FILE").isFalse();
                    }
                }
                for (JsonNode mount : c.path("volumeMounts")) {
                    JsonNode v = PodEnv.volume(w, mount.path("name").asText());
                    if (v.has("secret")) {
                        assertThat(mount.path("readOnly").asBoolean()).as(mount.toString()).isTrue();
                    }
                }
            }
        }
        assertThat(overlay.ofKind("Secret")).as("the example overlay renders its example secrets").hasSize(4);
    }

    /**
     * Each role's pods log in to Kafka as a user of their own, so each gets only its role's ACLs; the containers that
     * talk to the schema registry only (the schemas Job, the init containers) get no Kafka credentials at all.
     */
    @Test
    void shouldGiveEachRoleItsOwnKafkaUserInTheExample() {
        Map<String, String> userByRole = new TreeMap<>();
        for (String role : List.of("lifecycle", "worker")) {
            JsonNode w = overlay.named("StatefulSet", role);
            JsonNode c = Manifests.mainContainer(w);
            Map<String, String> env = PodEnv.of(overlay, c, Manifests.nameOf(w) + "-0");
            String jaas = PodEnv.secretFile(overlay, w, c, "EGOI_VERIFY_KAFKA_SASL_JAAS_CONFIG_FILE",
                    env.get("EGOI_VERIFY_KAFKA_SASL_JAAS_CONFIG_FILE"), "");
            Matcher user = Pattern.compile("username=\"([^\"]+)\"").matcher(jaas);
            assertThat(user.find()).as(jaas).isTrue();
            userByRole.put(role, user.group(1));
        }
        assertThat(userByRole.get("lifecycle")).isNotEqualTo(userByRole.get("worker"));
        List<JsonNode> registryOnly = new ArrayList<>(List.of(overlay.ofKind("Job").get(0)));
        for (JsonNode sts : overlay.ofKind("StatefulSet")) {
            registryOnly.add(sts);
        }
        for (JsonNode w : registryOnly) {
            List<JsonNode> containers = w.path("kind").asText().equals("Job") ? Manifests.containers(w)
                    : List.of(Manifests.podSpec(w).path("initContainers").get(0));
            for (JsonNode c : containers) {
                String where = Manifests.nameOf(w) + "/" + c.path("name").asText();
                assertThat(PodEnv.of(overlay, c, Manifests.nameOf(w) + "-0")).as(where)
                        .doesNotContainKey("EGOI_VERIFY_KAFKA_SASL_JAAS_CONFIG_FILE");
                for (JsonNode mount : c.path("volumeMounts")) {
                    assertThat(PodEnv.volume(w, mount.path("name").asText()).path("secret").path("secretName")
                            .asText()).as(where).doesNotStartWith("egoi-verify-kafka");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldRegisterSchemasInAJobThatTheInstancesWaitFor(Manifests m) {
        List<JsonNode> jobs = m.ofKind("Job");
        assertThat(jobs).hasSize(1);
        JsonNode register = Manifests.mainContainer(jobs.get(0));
        assertThat(args(register)).containsExactly("schemas", "register");
        Map<String, String> jobEnv = PodEnv.of(m, register, "x");
        for (JsonNode sts : m.ofKind("StatefulSet")) {
            JsonNode init = Manifests.podSpec(sts).path("initContainers").get(0);
            assertThat(init).as(Manifests.nameOf(sts) + " waits for the registration").isNotNull();
            assertThat(args(init)).containsExactly("schemas", "check");
            Map<String, String> initEnv = PodEnv.of(m, init, Manifests.nameOf(sts) + "-0");
            Map<String, String> appEnv = PodEnv.of(m, Manifests.mainContainer(sts), Manifests.nameOf(sts) + "-0");
            for (String key : List.of("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "EGOI_VERIFY_TOPICS_PREFIX")) {
                assertThat(initEnv.get(key)).as(key).isEqualTo(jobEnv.get(key)).isEqualTo(appEnv.get(key));
            }
            assertThat(appEnv).as("instances never register schemas themselves")
                    .containsEntry("EGOI_VERIFY_AUTO_REGISTER_SCHEMAS", "false");
            assertThat(init.path("image").asText()).isEqualTo(register.path("image").asText())
                    .isEqualTo(Manifests.mainContainer(sts).path("image").asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void shouldRequestResourcesForEveryContainer(Manifests m) {
        for (JsonNode w : m.workloads()) {
            for (JsonNode c : Manifests.containers(w)) {
                String what = Manifests.nameOf(w) + "/" + c.path("name").asText();
                assertThat(c.path("resources").path("requests").path("cpu").asText()).as(what).isNotBlank();
                assertThat(c.path("resources").path("requests").path("memory").asText()).as(what).isNotBlank();
                assertThat(c.path("resources").path("limits").path("memory").asText()).as(what).isNotBlank();
                assertThat(c.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).as(what)
                        .isFalse();
            }
        }
    }

    @Test
    void shouldScrapeEveryRoleAndShipTheRules() throws Exception {
        JsonNode monitor = overlay.get("ServiceMonitor", "egoi-verify");
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertThat(endpoint.path("port").asText()).isEqualTo("ops");
        assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
        List<String> scraped = new ArrayList<>();
        for (JsonNode service : overlay.ofKind("Service")) {
            JsonNode labels = service.path("metadata").path("labels");
            boolean selected = true;
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) () -> monitor.path("spec").path("selector")
                    .path("matchLabels").fields()) {
                selected &= e.getValue().asText().equals(labels.path(e.getKey()).asText());
            }
            if (selected) {
                assertThat(service.path("spec").path("ports").findValuesAsText("name")).contains("ops");
                scraped.add(Manifests.nameOf(service));
            }
        }
        for (JsonNode sts : overlay.ofKind("StatefulSet")) {
            assertThat(scraped).contains(sts.path("spec").path("serviceName").asText());
        }
        assertThat(scraped).allMatch(n -> n.matches(".*egoi-verify.*")).as("EgoiVerifyInstanceDown matches the job");
        JsonNode rule = overlay.get("PrometheusRule", "egoi-verify");
        assertThat(rule.path("spec").path("groups")).isEqualTo(KitMetricNames.rules().path("groups"));
        assertThat(rule.path("metadata").path("labels").path("release").asText()).isNotBlank();
    }

    private static List<String> args(JsonNode container) {
        List<String> out = new ArrayList<>();
        container.path("args").forEach(a -> out.add(a.asText()));
        return out;
    }

    private static JsonNode mountAt(JsonNode container, String path) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(path)) {
                return mount;
            }
        }
        throw new AssertionError("nothing is mounted at " + path + " in " + container.path("name").asText());
    }

    private static void assertProbe(JsonNode container, String probe, String path) {
        JsonNode get = container.path(probe).path("httpGet");
        assertThat(get.path("path").asText()).as(probe).isEqualTo(path);
        assertThat(get.path("port").asText()).as(probe).isEqualTo("ops");
    }

    /** Whether {@code matchLabels} selects the pods of {@code workload}. */
    private static boolean selects(JsonNode matchLabels, JsonNode workload) {
        JsonNode podLabels = workload.path("spec").path("template").path("metadata").path("labels");
        boolean all = matchLabels.size() > 0;
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) matchLabels::fields) {
            all &= e.getValue().asText().equals(podLabels.path(e.getKey()).asText());
        }
        return all;
    }
}
