package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.CliRun;
import io.egoiverify.testing.ForwardProxy;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.SandboxOptions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code egoi check} against the sandbox over real HTTP: usable, wrong key, unknown or inactive sender id. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EgoiCheckCommandTest {
    static final String KEY = "the-right-key-7f3a";
    static EgoiSandbox sandbox;

    @BeforeAll
    static void start() throws Exception {
        sandbox = new EgoiSandbox(Clock.systemUTC(), SandboxOptions.defaults().withApiKey(KEY)).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @BeforeEach
    void reset() {
        sandbox.reset();
    }

    static Map<String, String> env(String key, String senderId) {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_EGOI_BASE_URL", sandbox.baseUrl(Dialect.V2).toString());
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", key);
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID", senderId);
        return env;
    }

    @Test
    void aUsableProfileListsTheSendersAndExits0() {
        CliRun run = CliRun.of(env(KEY, "1"), "egoi", "check");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("egoi.api=v2").contains("profile default (sender-id 1):")
                .containsPattern("1\\s+egoi-verify sandbox\\s+active\\s+<- this profile's sender-id")
                .containsPattern("2\\s+inactive sandbox sender\\s+inactive")
                .contains("usable: the key works and sender 1 is active").contains("1 of 1 profile(s) usable");
        assertThat(run.out() + run.err()).doesNotContain(KEY);
        assertThat(sandbox.outbox()).as("no SMS sent").isEmpty();
    }

    @Test
    void aWrongKeyExits1WithoutPrintingIt() {
        CliRun run = CliRun.of(env("a-wrong-key-1234", "1"), "egoi", "check");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("NOT usable: E-goi refused the API key (rejected: HTTP 403 Forbidden)")
                .contains("0 of 1 profile(s) usable");
        assertThat(run.out() + run.err()).doesNotContain("a-wrong-key-1234").doesNotContain(KEY);
    }

    @Test
    void anUnknownSenderIdExits1() {
        CliRun run = CliRun.of(env(KEY, "99"), "egoi", "check");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("NOT usable: the key works, but sender-id 99 is not among the account's 2 "
                + "sender(s)");
    }

    @Test
    void anInactiveSenderExits1() {
        CliRun run = CliRun.of(env(KEY, "2"), "egoi", "check");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("NOT usable: sender 2 has status 'inactive'");
    }

    @Test
    void everyProfileIsCheckedAndOneBadOneFailsTheCheck() {
        Map<String, String> env = env(KEY, "1");
        env.put("EGOI_VERIFY_PROFILE_BRAND_API_KEY", "another-key-5678");
        env.put("EGOI_VERIFY_PROFILE_BRAND_SENDER_ID", "1");
        CliRun run = CliRun.of(env, "egoi", "check");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("profile brand (sender-id 1):").contains("profile default (sender-id 1):")
                .contains("1 of 2 profile(s) usable");
    }

    @Test
    void anUnreachableEgoiExits1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = env(KEY, "1");
        env.put("EGOI_VERIFY_EGOI_BASE_URL", "http://127.0.0.1:" + port + "/api");
        CliRun run = CliRun.of(env, "egoi", "check");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("NOT usable: E-goi could not be reached (connection refused)");
    }

    /**
     * The proxy as an operator sets it (environment, credentials from a mounted file): without the credentials the
     * proxy's 407 is reported as E-goi unreachable, naming the setting; with them the check passes through the proxy.
     */
    @Test
    void throughAProxyRequiringCredentialsAsAnOperatorSetsIt(@TempDir Path dir) throws Exception {
        try (ForwardProxy proxy = new ForwardProxy().requireCredentials("egress:pr0xy-s3cret")) {
            Map<String, String> env = env(KEY, "1");
            env.put("EGOI_VERIFY_EGOI_PROXY", proxy.url());
            CliRun refused = CliRun.of(env, "egoi", "check");
            assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(1);
            assertThat(refused.out()).contains("through the proxy " + proxy.url())
                    .contains("NOT usable: E-goi could not be reached (refused by the proxy: HTTP 407 (proxy "
                            + "authentication failed: check egoi.proxy-user-info))");
            Path credentials = dir.resolve("proxy-credentials");
            Files.writeString(credentials, "egress:pr0xy-s3cret\n");
            env.put("EGOI_VERIFY_EGOI_PROXY_USER_INFO_FILE", credentials.toString());
            CliRun run = CliRun.of(env, "egoi", "check");
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("through the proxy " + proxy.url() + " (with credentials)")
                    .contains("1 of 1 profile(s) usable");
            // the refused check, then the challenge HttpClient answers with the credentials (none sent unasked)
            assertThat(proxy.refused()).isEqualTo(2);
            assertThat(proxy.forwarded()).isEqualTo(1);
            assertThat(proxy.authorized()).isEqualTo(1);
            assertThat(refused.out() + refused.err() + run.out() + run.err()).doesNotContain("s3cret")
                    .doesNotContain(KEY);
        }
    }

    @Test
    void badConfigurationExits2() {
        Map<String, String> env = env(KEY, "1");
        env.remove("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY");
        CliRun run = CliRun.of(env, "egoi", "check");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().contains("profile.default.api-key");
        assertThat(CliRun.of(Map.of(), "egoi", "check").exitCode()).isEqualTo(2);
    }

    @Test
    void aProfileWithoutASenderIdGetsTheAccountsSendersToPickFrom() {
        Map<String, String> env = env(KEY, "1");
        env.remove("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID");
        CliRun listed = CliRun.of(env, "egoi", "check");
        assertThat(listed.exitCode()).isEqualTo(1);
        assertThat(listed.out()).contains("profile default (no sender-id set):")
                .containsPattern("1\\s+egoi-verify sandbox\\s+active")
                .contains("NOT usable: the key works, but the profile names no sender: set "
                        + "profile.default.sender-id to the id of a sender above whose status is one of active")
                .doesNotContain("<- this profile's sender-id").doesNotContain(KEY);
        // a placeholder id is still judged as an id
        CliRun placeholder = CliRun.of(env, "egoi", "check", "--set", "profile.default.sender-id=0");
        assertThat(placeholder.exitCode()).isEqualTo(1);
        assertThat(placeholder.out())
                .contains("NOT usable: the key works, but sender-id 0 is not among the account's 2 sender(s)");
    }

    @Test
    void theWorkerStillRefusesAProfileWithoutASenderIdAndNamesTheCommandThatListsThem() {
        Map<String, String> env = env(KEY, "1");
        env.remove("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_ID");
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "http://127.0.0.1:1");
        CliRun run = CliRun.of(env, "run", "--role", "worker");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("profile.default.sender-id").contains("`egoi-verify egoi check` lists them");
    }

    @Test
    void theGuideDialectSaysNoCheckCallIsKnown() {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_EGOI_API", "guide");
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", KEY);
        env.put("EGOI_VERIFY_PROFILE_DEFAULT_SENDER_HASH", "h");
        CliRun run = CliRun.of(env, "egoi", "check");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("egoi.api=guide").contains("no known call that checks a key")
                .contains("nothing was checked");
        assertThat(run.out()).doesNotContain(KEY);
    }
}
