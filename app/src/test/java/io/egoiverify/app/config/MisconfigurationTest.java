package io.egoiverify.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each misconfiguration ends the process before anything starts, with exit code 2 and exactly one line on stderr that
 * names the setting and what is allowed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MisconfigurationTest {
    private static final String HMAC_KEY = "an-hmac-key-of-at-least-32-bytes-0123456789";
    /** A complete, valid worker configuration in the environment layer; each test breaks one thing. */
    private static Map<String, String> validEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "http://127.0.0.1:2");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "k-123456");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "1");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", HMAC_KEY);
        env.put("PATH", "/usr/bin");
        return env;
    }

    private static void assertConfigError(CliRun run, String... fragments) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.errLines()).as(run.err()).hasSize(1);
        assertThat(run.errLines().get(0)).startsWith("error: ").contains(fragments);
    }

    @Test
    void unknownRole() {
        assertConfigError(CliRun.of(validEnv(), "run", "--role", "boss"), "role", "'boss'",
                "expected one of all, state, worker");
    }

    @Test
    void anIllegalFullTopicName() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "topics.name.requested=sign up requests"),
                "topics.name.requested", "'sign up requests'", "[a-zA-Z0-9._-]");
    }

    @Test
    void aFullNameForATopicThatDoesNotExist() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "topics.name.requests=x"), "topics.name.requests",
                "unknown setting");
    }

    @Test
    void roleFromTheEnvironmentIsValidatedToo() {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_ROLE", "everything");
        assertConfigError(CliRun.of(env, "run"), "role", "environment EGOI_VERIFY_ROLE", "expected one of");
    }

    @Test
    void badNumber() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "ops.port=eighty"), "ops.port", "'eighty'",
                "expected an integer from 0 to 65535");
    }

    @Test
    void numberOutOfRange() {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_EGOI_MAX_CONNECTIONS", "0");
        assertConfigError(CliRun.of(env, "run"), "egoi.max-connections", "from 1 to 20000");
    }

    /** Kafka Streams takes a client tag value of at most 30 characters: refused here, not at the first rebalance. */
    @Test
    void aZoneLongerThanAClientTag() {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_LIFECYCLE_ZONE", "z".repeat(31));
        assertConfigError(CliRun.of(env, "run", "--role", "state"), "lifecycle.zone", "at most 30 characters");
    }

    /** E-goi's V2 API refuses codes valid for over an hour: every such request would fail after it was accepted. */
    @Test
    void aTtlAboveWhatTheV2ApiAcceptsOnEveryRole() {
        for (String role : new String[] {"state", "worker", "all"}) {
            assertConfigError(CliRun.of(validEnv(), "run", "--role", role, "--set", "lifecycle.max-ttl=2h"),
                    "lifecycle.max-ttl", "'2h'", "egoi.api=v2 accepts codes valid for at most 3600 s");
        }
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "profile.default.max-ttl=3601s"),
                "profile.default.max-ttl", "at most 3600 s");
    }

    @Test
    void missingApiKeyForAProfileInRunMode() {
        Map<String, String> env = validEnv();
        env.remove("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY");
        assertConfigError(CliRun.of(env, "run", "--role", "worker"), "profile.default.api-key");
    }

    @Test
    void v2NeedsTheSenderIdOfEveryProfile() {
        Map<String, String> env = validEnv();
        env.remove("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_HASH", "hash");
        assertConfigError(CliRun.of(env, "run", "--role", "worker"), "missing setting profile.default.sender-id",
                "EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", "egoi.api is v2");
    }

    @Test
    void theGuideNeedsTheSenderHashOfEveryProfile() {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_EGOI_API", "guide");
        assertConfigError(CliRun.of(env, "run", "--role", "worker"), "missing setting profile.default.sender-hash",
                "egoi.api is guide");
    }

    @Test
    void unknownDialect() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "egoi.api=v3"), "egoi.api", "'v3'",
                "expected v2 or guide");
    }

    @Test
    void aProxyIsAPlainHttpUrlWithAPortAndNoCredentials() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "egoi.proxy=https://proxy.internal:3128"),
                "egoi.proxy", "a TLS connection to the proxy is not supported", "http://host:port");
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "egoi.proxy=http://proxy.internal"),
                "egoi.proxy", "'http://proxy.internal'", "expected http://host:port (with the port)");
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "egoi.proxy=socks5://proxy.internal:1080"),
                "egoi.proxy", "expected http://host:port");
        CliRun inUrl = CliRun.of(validEnv(), "run", "--set", "egoi.proxy=http://egress:pr0xy-s3cret@proxy:3128");
        assertConfigError(inUrl, "egoi.proxy", "'http://<secret>@proxy:3128'", "put user:password in "
                + "egoi.proxy-user-info");
        assertThat(inUrl.err()).doesNotContain("s3cret").doesNotContain("egress");
    }

    @Test
    void proxyCredentialsAreUserColonPasswordAndNeedAProxy() {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_EGOI_PROXY_USER_INFO", "egress:pr0xy-s3cret");
        CliRun alone = CliRun.of(env, "egoi", "check");
        assertConfigError(alone, "egoi.proxy-user-info=<secret>", "credentials without egoi.proxy are never used");
        env.put("EGOI_VERIFY_EGOI_PROXY", "http://proxy.internal:3128");
        env.put("EGOI_VERIFY_EGOI_PROXY_USER_INFO", "pr0xy-s3cret");
        CliRun noUser = CliRun.of(env, "run");
        assertConfigError(noUser, "egoi.proxy-user-info=<secret>", "expected user:password");
        assertThat(alone.err() + noUser.err()).doesNotContain("s3cret");
    }

    @Test
    void aStatusListedUnderTwoMeanings() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "egoi.v2.status.expired=pending"),
                "egoi.v2.status.*", "'pending' is listed as both");
    }

    @Test
    void badSendRetryStatuses() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "worker.send-retry-statuses=429,abc"),
                "worker.send-retry-statuses", "400 to 599");
    }

    @Test
    void missingApiKeyOfASecondProfile() {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_PROFILE_MARKETING_SENDER_ID", "2");
        assertConfigError(CliRun.of(env, "run", "--role", "all"), "profile.marketing.api-key");
    }

    @Test
    void theStateRoleNeedsNoApiKey() {
        Map<String, String> env = validEnv();
        env.remove("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY");
        env.put("EGOI_VERIFY_OPS_PORT", "x");
        // gets past the profiles and stops at the next bad setting
        assertConfigError(CliRun.of(env, "run", "--role", "state"), "ops.port");
    }

    @Test
    void badEgoiUrl() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "egoi.base-url=ftp://e-goi.example"),
                "egoi.base-url", "'ftp://e-goi.example'", "http:// or https://");
    }

    @Test
    void badRegistryUrl() {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "registry:8081");
        assertConfigError(CliRun.of(env, "run"), "schema.registry.url", "http(s)://");
    }

    @Test
    void missingBootstrapServers() {
        Map<String, String> env = validEnv();
        env.remove("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS");
        assertConfigError(CliRun.of(env, "run"), "missing setting kafka.bootstrap.servers",
                "EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void badBootstrapServers() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "kafka.bootstrap.servers=kafka"),
                "kafka.bootstrap.servers", "host:port");
    }

    @Test
    void badDuration() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "shutdown.timeout=soon"), "shutdown.timeout",
                "expected a duration from 1s to 10m");
    }

    @Test
    void ttlBelowTheFloor() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "lifecycle.default-ttl=5s"), "lifecycle.default-ttl",
                "from 10s to 24h");
    }

    @Test
    void inconsistentLifecycleBounds() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "lifecycle.min-ttl=120s"), "lifecycle.*",
                "minTtl");
    }

    @Test
    void badEnumValue() {
        assertConfigError(CliRun.of(validEnv(), "run", "--log-format", "xml"), "log.format",
                "expected one of json, text");
    }

    @Test
    void badBoolean() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "auto.register.schemas=yes"),
                "auto.register.schemas", "expected true or false");
    }

    @Test
    void unknownSettingOnTheCommandLine() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "worker.max-inflight=5"),
                "unknown setting worker.max-inflight");
    }

    @Test
    void unknownEnvironmentVariable() {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_OPS_PROT", "8080");
        assertConfigError(CliRun.of(env, "run"), "unknown environment variable EGOI_VERIFY_OPS_PROT");
    }

    @Test
    void unknownSettingInTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "ops.prot=1\n");
        assertConfigError(CliRun.of(validEnv(), "run", "--config", file.toString()), "unknown setting ops.prot",
                "file app.properties");
    }

    @Test
    void unreadableConfigFile(@TempDir Path dir) {
        assertConfigError(CliRun.of(validEnv(), "run", "--config", dir.resolve("nope.properties").toString()),
                "config file", "nope.properties");
    }

    @Test
    void secretFileThatDoesNotExist(@TempDir Path dir) {
        Map<String, String> env = validEnv();
        env.remove("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY_FILE", dir.resolve("missing").toString());
        assertConfigError(CliRun.of(env, "run", "--role", "worker"), "profile.default.api-key-file",
                "readable file");
    }

    @Test
    void badRegistryCredentialsAreNotEchoed() {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_BASIC_AUTH_USER_INFO", "s3cr3t-no-colon");
        CliRun run = CliRun.of(env, "run");
        assertConfigError(run, "basic.auth.user.info", "<secret>", "user:password");
        assertThat(run.err()).doesNotContain("s3cr3t");
    }

    @Test
    void unknownOptionIsOneLineToo() {
        assertConfigError(CliRun.of(validEnv(), "run", "--rol", "worker"), "Unknown option", "--rol");
    }

    @Test
    void badPortFlagOfTheSandbox() {
        assertConfigError(CliRun.of(Map.of(), "sandbox", "--port", "70000"), "sandbox.port",
                "from 0 to 65535");
    }

    @Test
    void badPartitionCount() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "topics.partitions=0"), "topics.partitions");
    }

    @Test
    void badTopicPrefix() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "topics.prefix=a b"), "topics.prefix");
    }

    @Test
    void missingHmacKeyWithLimitsOn() {
        Map<String, String> env = validEnv();
        env.remove("EGOI_VERIFY_ABUSE_HMAC_KEY");
        for (String role : new String[] {"state", "all"}) {
            assertConfigError(CliRun.of(env, "run", "--role", role), "missing setting abuse.hmac-key",
                    "EGOI_VERIFY_ABUSE_HMAC_KEY", "at least 32 bytes", "abuse.enabled=false runs without per-number "
                            + "limits");
        }
    }

    @Test
    void theWorkerRoleAndDisabledLimitsNeedNoHmacKey() {
        Map<String, String> env = validEnv();
        env.remove("EGOI_VERIFY_ABUSE_HMAC_KEY");
        env.put("EGOI_VERIFY_OPS_PORT", "x");
        // get past the key and stop at the next bad setting
        assertConfigError(CliRun.of(env, "run", "--role", "worker"), "ops.port");
        assertConfigError(CliRun.of(env, "run", "--role", "state", "--set", "abuse.enabled=false"), "ops.port");
    }

    @Test
    void shortHmacKeyIsRefusedAndNotEchoed(@TempDir Path dir) throws Exception {
        Map<String, String> env = validEnv();
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", "short-s3cr3t");
        CliRun run = CliRun.of(env, "run", "--role", "state");
        assertConfigError(run, "abuse.hmac-key", "<secret>", "at least 32 bytes", "abuse.enabled=false");
        assertThat(run.err()).doesNotContain("s3cr3t");
        // the same from a file (a mounted secret)
        Path file = dir.resolve("hmac");
        Files.writeString(file, "short-s3cr3t\n");
        env.remove("EGOI_VERIFY_ABUSE_HMAC_KEY");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY_FILE", file.toString());
        run = CliRun.of(env, "run", "--role", "all");
        assertConfigError(run, "abuse.hmac-key", "environment EGOI_VERIFY_ABUSE_HMAC_KEY_FILE", "at least 32 bytes");
        assertThat(run.err()).doesNotContain("s3cr3t");
    }

    @Test
    void badActivePolicy() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "abuse.active-policy=cancel"),
                "abuse.active-policy", "'cancel'", "expected one of off, refuse, supersede");
    }

    @Test
    void badSendLimit() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "abuse.sends-per-number=0"),
                "abuse.sends-per-number", "from 1 to 1000");
    }

    @Test
    void permitTimeoutNotShorterThanTheSendDeadline() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "abuse.permit-timeout=30s"),
                "invalid combination of abuse.permit-timeout=30s and lifecycle.send-deadline=30s",
                "must be shorter than the send deadline");
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "lifecycle.send-deadline=20s"),
                "abuse.permit-timeout=25s", "lifecycle.send-deadline=20s");
    }

    @Test
    void badCountryCodeList() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "profile.default.allowed-country-codes=351,pt"),
                "profile.default.allowed-country-codes", "country calling codes");
        // a template that rendered nothing: refused, not "any country"
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "profile.default.allowed-country-codes= , "),
                "profile.default.allowed-country-codes", "at least one country calling code");
    }

    @Test
    void profilePolicyThatNoRequestCouldMeet() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "profile.default.max-message-length=16"),
                "invalid combination of profile.*");
    }

    @Test
    void resendSettingsOutOfRange() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "lifecycle.max-sends=0"),
                "lifecycle.max-sends", "from 1 to 10");
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "lifecycle.resend-cooldown=2h"),
                "lifecycle.resend-cooldown", "from 0s to 1h");
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "profile.default.max-sends=11"),
                "profile.default.max-sends", "from 1 to 10");
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "profile.default.resend-cooldown=soon"),
                "profile.default.resend-cooldown", "expected a duration");
    }

    @Test
    void guardIssuesCommandsIsTrueOrFalse() {
        assertConfigError(CliRun.of(validEnv(), "run", "--set", "lifecycle.guard-issues-commands=yes"),
                "lifecycle.guard-issues-commands", "expected true or false");
    }
}
