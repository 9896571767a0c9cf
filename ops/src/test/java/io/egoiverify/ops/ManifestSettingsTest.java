package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.ConfigException;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.QueryConfig;
import io.egoiverify.app.config.Settings;
import io.egoiverify.app.config.SettingsLoader;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application's own settings check over every environment the rendered manifests give a container: each
 * variable is a setting it knows (it refuses unknown {@code EGOI_VERIFY_*} names), each value is valid for the
 * command the container runs ({@code run --role state|worker}, {@code schemas check|register}, {@code egoi check}),
 * each {@code ..._FILE} secret is a file a mounted Secret provides, and the variables the kubelet adds for the
 * namespace's Services are there unless the pod turns them off. This is exactly what {@code run} does before it starts
 * anything ({@link SettingsLoader#load}, then {@link AppConfig#from}).
 */
@Timeout(120)
class ManifestSettingsTest {
    /** A value of the right shape where the base renders no Secret (the HMAC key needs 32 bytes or more). */
    private static final String PLACEHOLDER = "placeholder-secret-of-more-than-thirty-two-bytes-0123456789";
    /** A commented-out list item that sets a variable: {@code # - EGOI_VERIFY_X=value}. */
    private static final Pattern COMMENTED_SETTING =
            Pattern.compile("^\\s*#\\s*-\\s*(EGOI_VERIFY_[A-Z0-9_]+)=(\\S*)\\s*$");
    private static Manifests base;
    private static Manifests overlay;

    @TempDir
    Path tmp;

    @BeforeAll
    static void render() throws Exception {
        ExternalTool kubectl = ExternalTool.require("kubectl", "apt-get install kubernetes-client");
        base = Manifests.render(kubectl, "base");
        overlay = Manifests.render(kubectl, "overlays/example");
    }

    @Test
    void shouldPassTheApplicationsSettingsCheckInEveryContainerOfTheBase() throws Exception {
        assertThat(checkAll(base)).hasSize(6);
    }

    @Test
    void shouldPassTheApplicationsSettingsCheckInEveryContainerOfTheExampleOverlay() throws Exception {
        List<String> checked = checkAll(overlay);
        assertThat(checked).hasSize(6).anyMatch(c -> c.contains("run --role state"))
                .anyMatch(c -> c.contains("run --role worker")).anyMatch(c -> c.contains("schemas register"))
                .anyMatch(c -> c.contains("egoi check"));
    }

    @Test
    void shouldAdvertiseEachLifecyclePodsStableNameForTheStatusQuery() throws Exception {
        for (Manifests m : List.of(base, overlay)) {
            JsonNode lifecycle = m.named("StatefulSet", "egoi-verify-lifecycle");
            for (int i = 0; i < 2; i++) {
                String pod = Manifests.nameOf(lifecycle) + "-" + i;
                QueryConfig query = config(m, lifecycle, pod).query();
                // what the application makes Kafka Streams' application.server: host and the bound ops port
                assertThat(query.advertisedHost() + ":" + query.advertisedPort(8080)).as(m + " " + pod)
                        .isEqualTo(pod + ".egoi-verify-lifecycle." + m.namespace() + ".svc:8080");
            }
        }
    }

    @Test
    void shouldRequireTheQueryTokenOnlyWhereAnOverlayMountsIt() throws Exception {
        JsonNode baseLifecycle = base.named("StatefulSet", "egoi-verify-lifecycle");
        assertThat(config(base, baseLifecycle, "egoi-verify-lifecycle-0").query().authToken()).as("base: open")
                .isNull();
        JsonNode lifecycle = overlay.named("StatefulSet", "egoi-verify-lifecycle");
        String token = config(overlay, lifecycle, "egoi-verify-lifecycle-0").query().authToken();
        assertThat(token).as("example overlay: the Secret's token").isNotBlank()
                .isEqualTo(PodEnv.secretFile(overlay, lifecycle, Manifests.mainContainer(lifecycle),
                        "EGOI_VERIFY_QUERY_AUTH_TOKEN_FILE", "/run/secrets/egoi-verify-query/auth-token", ""));
    }

    @Test
    void shouldSpeakEgoisV2WithASenderIdInTheWorkers() throws Exception {
        for (Manifests m : List.of(base, overlay)) {
            AppConfig worker = config(m, m.named("StatefulSet", "egoi-verify-worker"), "egoi-verify-worker-0");
            assertThat(worker.egoi().dialect()).isEqualTo(Dialect.V2);
            assertThat(worker.profiles().find("default").orElseThrow().senderId()).as(m.name()).isNotBlank();
        }
    }

    @Test
    void shouldRefuseAnUnknownVariableOrABadValueLikeTheApplicationDoes() throws Exception {
        JsonNode worker = overlay.named("StatefulSet", "egoi-verify-worker");
        JsonNode container = Manifests.mainContainer(worker);
        Map<String, String> env = PodEnv.withSecretFiles(overlay, worker, container,
                PodEnv.of(overlay, container, "egoi-verify-worker-0"), tmp, PLACEHOLDER);
        env.put("EGOI_VERIFY_OPS_PROT", "8080");
        assertThatThrownBy(() -> check(env, List.of("run", "--role", "worker")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("EGOI_VERIFY_OPS_PROT");
        env.remove("EGOI_VERIFY_OPS_PROT");
        env.put("EGOI_VERIFY_WORKER_MAX_IN_FLIGHT", "lots");
        assertThatThrownBy(() -> check(env, List.of("run", "--role", "worker")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("worker.max-in-flight");
    }

    /**
     * The example overlay's commented-out settings (a registry on https with a private CA or mutual TLS, a proxy for
     * E-goi's calls) must work once a user uncomments them: each names a setting the application knows, and the
     * workers take the proxy example.
     */
    @Test
    void shouldKnowEverySettingTheExampleOverlaysCommentsName() throws Exception {
        Map<String, String> examples = new TreeMap<>();
        for (String line : Files.readAllLines(Kit.KUBERNETES.resolve("overlays/example/kustomization.yaml"))) {
            Matcher m = COMMENTED_SETTING.matcher(line);
            if (m.matches()) {
                examples.put(m.group(1), m.group(2));
            }
        }
        assertThat(examples).containsKeys("EGOI_VERIFY_EGOI_PROXY", "EGOI_VERIFY_EGOI_PROXY_USER_INFO_FILE",
                "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION",
                "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_LOCATION",
                "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_PASSWORD_FILE",
                // cert-manager's Secret as mounted
                "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_KEY_FILE",
                "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_CERTIFICATE_CHAIN_FILE",
                "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_FILE");
        for (Map.Entry<String, String> e : examples.entrySet()) {
            String value = e.getKey().endsWith("_FILE")
                    ? Files.writeString(tmp.resolve(e.getKey()), "user:placeholder").toString() : e.getValue();
            assertThatCode(() -> SettingsLoader.load(null, Map.of(e.getKey(), value), Map.of())).as(e.getKey())
                    .doesNotThrowAnyException();
        }
        JsonNode worker = overlay.named("StatefulSet", "egoi-verify-worker");
        JsonNode container = Manifests.mainContainer(worker);
        Map<String, String> env = PodEnv.withSecretFiles(overlay, worker, container,
                PodEnv.of(overlay, container, "egoi-verify-worker-0"), tmp, PLACEHOLDER);
        env.put("EGOI_VERIFY_EGOI_PROXY", examples.get("EGOI_VERIFY_EGOI_PROXY"));
        env.put("EGOI_VERIFY_EGOI_PROXY_USER_INFO_FILE",
                Files.writeString(tmp.resolve("proxy-user-info"), "egoi-verify:placeholder").toString());
        EgoiConfig.Proxy proxy = check(env, List.of("run", "--role", "worker")).egoi().transport().proxy();
        assertThat(proxy.address()).isEqualTo("proxy.example.com:3128");
        assertThat(proxy.user()).isEqualTo("egoi-verify");
    }

    /** Checks every container of every workload (pod 0 of a StatefulSet); returns what it checked. */
    private List<String> checkAll(Manifests m) throws Exception {
        List<String> checked = new ArrayList<>();
        for (JsonNode w : m.workloads()) {
            String pod = Manifests.nameOf(w) + ("StatefulSet".equals(w.path("kind").asText()) ? "-0" : "-x7k2p");
            for (JsonNode c : Manifests.containers(w)) {
                List<String> args = new ArrayList<>();
                c.path("args").forEach(a -> args.add(a.asText()));
                Map<String, String> env = PodEnv.withSecretFiles(m, w, c,
                        PodEnv.withServiceLinks(m, w, PodEnv.of(m, c, pod)), tmp, PLACEHOLDER);
                String what = m.name() + " " + Manifests.nameOf(w) + "/" + c.path("name").asText() + ": "
                        + String.join(" ", args);
                try {
                    check(env, args);
                } catch (ConfigException e) {
                    throw new AssertionError(what + " would refuse to start: " + e.getMessage(), e);
                }
                checked.add(what);
            }
        }
        return checked;
    }

    /** The configuration the main container of {@code workload} starts with, as pod {@code pod}. */
    private AppConfig config(Manifests m, JsonNode workload, String pod) throws Exception {
        JsonNode c = Manifests.mainContainer(workload);
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asText()));
        return check(PodEnv.withSecretFiles(m, workload, c,
                PodEnv.withServiceLinks(m, workload, PodEnv.of(m, c, pod)), tmp, PLACEHOLDER), args);
    }

    /** What the application does with its environment and arguments before it starts anything. */
    private static AppConfig check(Map<String, String> env, List<String> args) {
        String command = args.isEmpty() ? "" : args.get(0);
        Mode mode;
        Map<String, String> flags = Map.of();
        if (command.equals("run")) {
            mode = Mode.RUN;
            int role = args.indexOf("--role");
            if (role >= 0) {
                flags = Map.of("role", args.get(role + 1));
            }
        } else if (command.equals("schemas") && args.size() == 2
                && List.of("register", "check").contains(args.get(1))) {
            mode = Mode.SCHEMAS;
        } else if (args.equals(List.of("egoi", "check"))) {
            mode = Mode.EGOI;
        } else {
            throw new AssertionError("a container runs an unexpected command: " + args);
        }
        Settings settings = SettingsLoader.load(null, env, flags);
        return AppConfig.from(settings, mode);
    }
}
