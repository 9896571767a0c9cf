package io.egoiverify.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.lifecycle.ResendPolicy;
import io.egoiverify.worker.egoi.EgoiConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SettingsLoaderTest {

    @Test
    void layersOverrideInOrderDefaultsFileEnvironmentFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "ops.port=1001\nlog.level=debug\nshutdown.timeout=5s\n");
        Settings s = SettingsLoader.load(file,
                Map.of("EGOI_VERIFY_OPS_PORT", "1002", "EGOI_VERIFY_LOG_LEVEL", "warn"),
                Map.of("ops.port", "1003"));
        assertThat(s.string("ops.port")).isEqualTo("1003");
        assertThat(s.string("log.level")).isEqualTo("warn");
        assertThat(s.string("shutdown.timeout")).isEqualTo("5s");
        assertThat(s.string("ops.host")).isEqualTo("127.0.0.1");
        assertThat(s.find("ops.port").orElseThrow().origin()).isEqualTo("command line");
        assertThat(s.find("log.level").orElseThrow().origin()).isEqualTo("environment EGOI_VERIFY_LOG_LEVEL");
    }

    @Test
    void aTopicCanHaveAFullNameOfItsOwnWhileTheOthersKeepThePrefix(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "topics.prefix=acme.\ntopics.name.requested=signup.verification-requests\n");
        Settings s = SettingsLoader.load(file, Map.of("EGOI_VERIFY_TOPICS_NAME_CODE_SUBMITTED", "signup.codes"),
                Map.of("schema.registry.url", "mock://t", "kafka.bootstrap.servers", "b:9093"));
        assertThat(s.find("topics.name.code-submitted").orElseThrow().origin())
                .isEqualTo("environment EGOI_VERIFY_TOPICS_NAME_CODE_SUBMITTED");
        AppConfig c = AppConfig.from(s, Mode.CLIENT);
        assertThat(c.topics().prefix()).isEqualTo("acme.");
        assertThat(c.topics().requested()).isEqualTo("signup.verification-requests");
        assertThat(c.topics().codeSubmitted()).isEqualTo("signup.codes");
        assertThat(c.topics().cancelRequested()).isEqualTo("acme.verification.cancel-requested");
        assertThat(c.topics().deadLetter()).isEqualTo("acme.verification.dlq");
    }

    @Test
    void theRoleSettingBecomesARole() {
        Settings s = SettingsLoader.load(null, Map.of("EGOI_VERIFY_ROLE", "State"), Map.of(
                "schema.registry.url", "mock://t", "kafka.bootstrap.servers", "b:9093",
                "abuse.enabled", "false"));
        AppConfig c = AppConfig.from(s, Mode.RUN);
        assertThat(c.role()).isEqualTo(Role.STATE);
        assertThat(c.role().runsLifecycle()).isTrue();
        assertThat(c.role().runsWorker()).isFalse();
        assertThat(c.worker()).isNull();
        assertThat(Role.settingValues()).containsExactlyInAnyOrder("state", "worker", "all");
    }

    @Test
    void staticMembershipFromTheEnvironmentReachesBothRoles() {
        // ops/kubernetes passes the pod name as EGOI_VERIFY_KAFKA_GROUP_INSTANCE_ID to worker pods; either role takes it
        for (String role : new String[] {"state", "worker"}) {
            Settings s = SettingsLoader.load(null, Map.of("EGOI_VERIFY_KAFKA_GROUP_INSTANCE_ID", "pod-0",
                    "EGOI_VERIFY_ROLE", role), Map.of("schema.registry.url", "mock://t",
                    "kafka.bootstrap.servers", "b:9093", "abuse.enabled", "false",
                    "profile.default.api-key", "k", "profile.default.sender-id", "1"));
            AppConfig c = AppConfig.from(s, Mode.RUN);
            // the lifecycle's Streams properties are built from kafka(); Streams adds "-<thread>" per stream thread
            assertThat(c.kafka()).as(role).containsEntry("group.instance.id", "pod-0");
            if (role.equals("worker")) {
                assertThat(c.worker().kafkaOverrides()).containsEntry("group.instance.id", "pod-0");
            }
        }
    }

    @Test
    void kafkaPropertiesPassThroughFromEveryLayer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "kafka.security.protocol=SASL_SSL\nkafka.bootstrap.servers=b:9093\n");
        Settings s = SettingsLoader.load(file,
                Map.of("EGOI_VERIFY_KAFKA_SASL_MECHANISM", "PLAIN"),
                Map.of("kafka.ssl.endpoint.identification.algorithm", "https"));
        AppConfig c = AppConfig.from(s.with("schema.registry.url", "mock://t", "test"), Mode.CLIENT);
        assertThat(c.kafka()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("ssl.endpoint.identification.algorithm", "https")
                .containsEntry("bootstrap.servers", "b:9093");
    }

    @Test
    void secretsFromFilesNamedByFileVariables(@TempDir Path dir) throws Exception {
        Path jaas = dir.resolve("jaas");
        Files.writeString(jaas, "org.apache.kafka.common.security.plain.PlainLoginModule required;\n");
        Path key = dir.resolve("key");
        Files.writeString(key, "api-key-from-file\n");
        Settings s = SettingsLoader.load(null, Map.of(
                "EGOI_VERIFY_KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString(),
                "EGOI_VERIFY_PROFILE_DEFAULT_API_KEY_FILE", key.toString(),
                "EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1",
                "EGOI_VERIFY_BASIC_AUTH_USER_INFO_FILE", key.toString()), Map.of());
        assertThat(s.string("kafka.sasl.jaas.config")).endsWith("required;");
        assertThat(s.find("kafka.sasl.jaas.config").orElseThrow().secret()).isTrue();
        assertThat(s.string("basic.auth.user.info")).isEqualTo("api-key-from-file");
        assertThat(EgoiSettings.profiles(s, true).find("default").orElseThrow().apiKey())
                .isEqualTo("api-key-from-file");
    }

    @Test
    void theProxyAndItsCredentialsFromAFileReachTheEgoiTransportOnly(@TempDir Path dir) throws Exception {
        Path credentials = dir.resolve("proxy-credentials");
        Files.writeString(credentials, "egress:pr0xy-s3cret\n");
        Map<String, String> env = Map.of("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "k",
                "EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1",
                "EGOI_VERIFY_EGOI_PROXY", "http://proxy.internal:3128",
                "EGOI_VERIFY_EGOI_PROXY_USER_INFO_FILE", credentials.toString());
        Settings s = SettingsLoader.load(null, env, Map.of());
        assertThat(s.find("egoi.proxy-user-info").orElseThrow().secret()).isTrue();
        assertThat(s.find("egoi.proxy-user-info").orElseThrow().toString()).doesNotContain("s3cret");
        AppConfig config = AppConfig.from(s, Mode.EGOI);
        assertThat(config.egoi().transport().proxy())
                .isEqualTo(new EgoiConfig.Proxy("proxy.internal", 3128, "egress:pr0xy-s3cret"));
        assertThat(config.egoi().toString()).contains("http://proxy.internal:3128 (with credentials)")
                .doesNotContain("s3cret");
        assertThat(AppConfig.from(SettingsLoader.load(null, Map.of("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "k",
                "EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1", "EGOI_VERIFY_EGOI_PROXY", "http://[fd00::1]:8080/"),
                Map.of()), Mode.EGOI).egoi().transport().proxy())
                .as("an IPv6 proxy, and a trailing slash").isEqualTo(new EgoiConfig.Proxy("fd00::1", 8080, null));
        assertThat(AppConfig.from(SettingsLoader.load(null, Map.of("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "k",
                "EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1"), Map.of()), Mode.EGOI).egoi().transport().proxy())
                .as("unset: direct").isNull();
    }

    @Test
    void credentialsInAnyUrlAreNeverShown() {
        Setting url = new Setting("schema.registry.url", "https://u:p@ss/w@registry:8081", "test", false);
        assertThat(url.shownValue()).isEqualTo("'https://<secret>@registry:8081'");
    }

    /**
     * The odd inputs an invalid-value message echoes: a proxy written without its scheme (as curl's -x takes it), a
     * password holding a space, several URLs in one value, IPv6. No password may survive in the shown value.
     */
    @Test
    void credentialsInOddUrlsAreNeverShown() {
        Map<String, String> values = Map.of(
                "user:pr0xy-s3cret@proxy.internal:3128", "no scheme",
                "//user:pr0xy-s3cret@proxy.internal:3128", "scheme-relative",
                "http://user:pr0xy s3cret@proxy.internal:3128", "a space in the password",
                "http://user:pr0xy@s3cret@[fd00::1]:3128", "an @ in the password, IPv6",
                "http://a:s3cret-1@h1:8081,http://b:s3cret-2@h2:8081", "two URLs",
                "http://a:s3cret-1@h1:8081 http://b:s3cret-2@h2:8081", "two URLs, a space between");
        values.forEach((value, what) -> assertThat(new Setting("egoi.proxy", value, "test", false).shownValue())
                .as(what).doesNotContain("s3cret").contains("<secret>"));
        assertThat(new Setting("egoi.proxy", "http://proxy.internal:3128", "test", false).shownValue())
                .as("nothing to hide").isEqualTo("'http://proxy.internal:3128'");
        assertThatThrownBy(() -> AppConfig.from(SettingsLoader.load(null, Map.of("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY",
                "k", "EGOI_VERIFY_EGOI_PROXY", "user:pr0xy-s3cret@proxy.internal:3128"), Map.of()), Mode.EGOI))
                .as("the refusal of a proxy without its scheme").hasMessageContaining("egoi.proxy")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void kubernetesServiceLinksAreNotSettingsButAMistypedSettingStillStops() {
        // what the kubelet gives every pod of a namespace with a Service egoi-verify-status (ClusterIP, port "http" 80)
        Map<String, String> env = new HashMap<>(Map.of(
                "EGOI_VERIFY_STATUS_SERVICE_HOST", "10.96.0.17",
                "EGOI_VERIFY_STATUS_SERVICE_PORT", "80",
                "EGOI_VERIFY_STATUS_SERVICE_PORT_HTTP", "80",
                "EGOI_VERIFY_STATUS_PORT", "tcp://10.96.0.17:80",
                "EGOI_VERIFY_STATUS_PORT_80_TCP", "tcp://10.96.0.17:80",
                "EGOI_VERIFY_STATUS_PORT_80_TCP_PROTO", "tcp",
                "EGOI_VERIFY_STATUS_PORT_80_TCP_PORT", "80",
                "EGOI_VERIFY_STATUS_PORT_80_TCP_ADDR", "10.96.0.17",
                "EGOI_VERIFY_OPS_PORT", "9090"));
        env.put("EGOI_VERIFY_METRICS_SERVICE_HOST", "fd00::17");
        env.put("EGOI_VERIFY_METRICS_PORT", "tcp://[fd00::17]:9404");

        Settings s = SettingsLoader.load(null, env, Map.of());

        assertThat(s.string("ops.port")).isEqualTo("9090");
        assertThat(s.all().keySet()).noneMatch(k -> k.startsWith("status"));
        for (Map.Entry<String, String> mistyped : Map.of("EGOI_VERIFY_OPS_PROT", "8080",
                "EGOI_VERIFY_SANBOX_PORT", "8089", "EGOI_VERIFY_SANBOX_HOST", "10.0.0.1",
                "EGOI_VERIFY_DEV_SANBOX_PORT", "tcp://10.0.0.1").entrySet()) {
            assertThatThrownBy(() -> SettingsLoader.load(null, Map.of(mistyped.getKey(), mistyped.getValue()),
                    Map.of())).as(mistyped.getKey()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("unknown environment variable " + mistyped.getKey());
        }
    }

    @Test
    void environmentNamesMapToKeys() {
        assertThat(SettingsLoader.envName("worker.max-in-flight")).isEqualTo("EGOI_VERIFY_WORKER_MAX_IN_FLIGHT");
        assertThat(SettingsLoader.keyOf("EGOI_VERIFY_LIFECYCLE_DEFAULT_TTL")).isEqualTo("lifecycle.default-ttl");
        assertThat(SettingsLoader.keyOf("EGOI_VERIFY_PROFILE_MY_BRAND_SENDER_HASH"))
                .isEqualTo("profile.my_brand.sender-hash");
        assertThat(SettingsLoader.keyOf("EGOI_VERIFY_PROFILE_MY_BRAND_SENDER_ID"))
                .isEqualTo("profile.my_brand.sender-id");
        assertThat(SettingsLoader.keyOf("EGOI_VERIFY_EGOI_V2_STATUS_CANCELLED")).isEqualTo("egoi.v2.status.cancelled");
        assertThat(SettingsLoader.keyOf("EGOI_VERIFY_KAFKA_SSL_TRUSTSTORE_LOCATION"))
                .isEqualTo("kafka.ssl.truststore.location");
        assertThat(SettingsLoader.keyOf("EGOI_VERIFY_NOPE")).isNull();
    }

    @Test
    void durationsInSeveralForms() {
        assertThat(Settings.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Settings.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Settings.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Settings.parseDuration("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThat(Settings.parseDuration("1500")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Settings.parseDuration("soon")).isNull();
    }

    @Test
    void defaultsAreValidForTheDevMode() {
        Settings s = io.egoiverify.app.dev.DevStack.devDefaults(SettingsLoader.load(null, Map.of(), Map.of()));
        AppConfig c = AppConfig.from(s, Mode.DEV);
        assertThat(c.kafka()).containsEntry("bootstrap.servers", "127.0.0.1:19092");
        assertThat(c.profiles().find("default")).isPresent();
        assertThat(c.lifecycle().defaultTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.topics().requested()).isEqualTo("verification.requested");
        assertThat(c.lifecycle().abuse().enabled()).as("dev mode: per-number limits on, random key").isTrue();
        assertThat(s.find("abuse.hmac-key").orElseThrow().secret()).isTrue();
    }

    @Test
    void abuseAndProfilePolicySettingsMapOntoTheLifecycle() {
        Map<String, String> env = Map.of(
                "EGOI_VERIFY_ABUSE_HMAC_KEY", "an-hmac-key-of-at-least-32-bytes-0123456789",
                "EGOI_VERIFY_ABUSE_SENDS_PER_NUMBER", "3", "EGOI_VERIFY_ABUSE_SENDS_WINDOW", "30m",
                "EGOI_VERIFY_ABUSE_ACTIVE_POLICY", "refuse",
                "EGOI_VERIFY_PROFILE_STRICT_ALLOWED_COUNTRY_CODES", "351, +34",
                "EGOI_VERIFY_PROFILE_STRICT_MIN_CODE_SIZE", "8",
                "EGOI_VERIFY_PROFILE_STRICT_MAX_TTL", "2m",
                "EGOI_VERIFY_PROFILE_STRICT_MAX_MESSAGE_LENGTH", "100");
        Settings s = SettingsLoader.load(null, env, Map.of("kafka.bootstrap.servers", "127.0.0.1:9092",
                "schema.registry.url", "http://127.0.0.1:8081", "role", "state"));
        var lifecycle = AppConfig.from(s, Mode.RUN).lifecycle();
        assertThat(lifecycle.abuse().enabled()).isTrue();
        assertThat(lifecycle.abuse().maxSendsPerWindow()).isEqualTo(3);
        assertThat(lifecycle.abuse().sendWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(lifecycle.abuse().activePolicy()).isEqualTo(io.egoiverify.lifecycle.AbuseLimits.ActivePolicy.REFUSE);
        assertThat(lifecycle.senderProfiles()).contains("strict", "default");
        var policy = lifecycle.policy("strict");
        assertThat(policy.allowedCountryCodes()).containsExactlyInAnyOrder(351, 34);
        assertThat(policy.minCodeSize()).isEqualTo(8);
        assertThat(policy.maxTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(policy.maxMessageLength()).isEqualTo(100);
        assertThat(lifecycle.toString()).doesNotContain("an-hmac-key");
        var off = AppConfig.from(s.with("abuse.enabled", "false", "test"), Mode.RUN).lifecycle();
        assertThat(off.abuse().enabled()).isFalse();
        // The lifecycle issues the granted sends unless the guard is switched on (the limits stay as they are).
        assertThat(lifecycle.guardIssuesCommands()).isFalse();
        var guardIssues = AppConfig.from(s.with("lifecycle.guard-issues-commands", "true", "test"), Mode.RUN)
                .lifecycle();
        assertThat(guardIssues.guardIssuesCommands()).isTrue();
        assertThat(guardIssues.abuse()).isEqualTo(lifecycle.abuse());
    }

    @Test
    void resendSettingsAndProfileOverridesMapOntoTheLifecycle() {
        Map<String, String> env = Map.of(
                "EGOI_VERIFY_LIFECYCLE_RESEND_COOLDOWN", "45s", "EGOI_VERIFY_LIFECYCLE_MAX_SENDS", "4",
                "EGOI_VERIFY_PROFILE_STRICT_RESEND_COOLDOWN", "2m", "EGOI_VERIFY_PROFILE_STRICT_MAX_SENDS", "1",
                "EGOI_VERIFY_PROFILE_LOOSE_RESEND_COOLDOWN", "0s");
        Settings s = SettingsLoader.load(null, env, Map.of("kafka.bootstrap.servers", "127.0.0.1:9092",
                "schema.registry.url", "http://127.0.0.1:8081", "role", "state", "abuse.enabled", "false"));
        var lifecycle = AppConfig.from(s, Mode.RUN).lifecycle();
        assertThat(lifecycle.resend()).isEqualTo(new ResendPolicy(Duration.ofSeconds(45), 4));
        assertThat(lifecycle.resendPolicy("strict")).isEqualTo(new ResendPolicy(Duration.ofMinutes(2), 1));
        assertThat(lifecycle.resendPolicy("loose")).isEqualTo(new ResendPolicy(Duration.ZERO, 4));
        assertThat(lifecycle.resendPolicy("default")).isEqualTo(lifecycle.resend());
        assertThat(SettingsLoader.keyOf("EGOI_VERIFY_PROFILE_MY_BRAND_MAX_SENDS"))
                .isEqualTo("profile.my_brand.max-sends");
        assertThat(AppConfig.from(SettingsLoader.load(null, Map.of(), Map.of("kafka.bootstrap.servers",
                "127.0.0.1:9092", "schema.registry.url", "http://127.0.0.1:8081", "role", "state",
                "abuse.enabled", "false")), Mode.RUN).lifecycle().resend())
                .as("defaults").isEqualTo(ResendPolicy.DEFAULT);
    }

    @Test
    void secretValuesNeverAppearInMessages() {
        Settings s = SettingsLoader.load(null, Map.of("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "top-secret"),
                Map.of());
        assertThat(s.find("profile.default.api-key").orElseThrow().toString()).doesNotContain("top-secret");
        assertThatThrownBy(() -> s.integer("profile.default.api-key", 1, 2)).hasMessageNotContaining("top-secret");
    }
}
