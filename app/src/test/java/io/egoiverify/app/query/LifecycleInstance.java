package io.egoiverify.app.query;

import io.egoiverify.app.AppRuntime;
import io.egoiverify.app.cli.Registries;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.SettingsLoader;
import io.egoiverify.app.ops.ShutdownSequence;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One lifecycle instance ({@code run --role state}) in this JVM, configured as an operator would (settings through
 * the environment layer): its own state directory and operations port, the shared application id.
 */
final class LifecycleInstance implements AutoCloseable {
    final String name;
    final AppRuntime runtime;
    private final ShutdownSequence stop;

    private LifecycleInstance(String name, AppRuntime runtime, ShutdownSequence stop) {
        this.name = name;
        this.runtime = runtime;
        this.stop = stop;
    }

    /** The settings every instance of one deployment shares; {@code extra} adds or overrides. */
    static Map<String, String> deployment(String bootstrap, String prefix, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_ROLE", "state");
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "mock://" + prefix + "registry");
        env.put("EGOI_VERIFY_TOPICS_PREFIX", prefix);
        env.put("EGOI_VERIFY_LIFECYCLE_APPLICATION_ID", prefix + "lifecycle");
        // No worker here: the tests answer commands themselves; nothing may fail or expire while they run.
        env.put("EGOI_VERIFY_LIFECYCLE_SEND_DEADLINE", "10m");
        env.put("EGOI_VERIFY_ABUSE_ENABLED", "false");
        env.put("EGOI_VERIFY_LIFECYCLE_RESEND_COOLDOWN", Verifications.COOLDOWN.toSeconds() + "s");
        env.put("EGOI_VERIFY_OPS_PORT", "0");
        env.put("EGOI_VERIFY_SHUTDOWN_TIMEOUT", "20s");
        env.putAll(extra);
        return env;
    }

    static LifecycleInstance start(String name, Map<String, String> deployment) throws Exception {
        Map<String, String> env = new HashMap<>(deployment);
        env.put("EGOI_VERIFY_KAFKA_STATE_DIR", Files.createTempDirectory("status-" + name).toString());
        AppConfig config = AppConfig.from(SettingsLoader.load(null, env, Map.of()), Mode.RUN);
        AppRuntime runtime = new AppRuntime(config, Registries.create(config.serde()));
        ShutdownSequence stop = runtime.shutdownSequence(new ShutdownSequence(config.ops().shutdownTimeout()));
        try {
            runtime.start();
        } catch (Exception | Error e) {
            stop.run();
            throw e;
        }
        return new LifecycleInstance(name, runtime, stop);
    }

    int port() {
        return runtime.opsPort();
    }

    String base() {
        return "http://127.0.0.1:" + port();
    }

    /** What SIGTERM does: readiness off, Streams closed (leaving the group), then the servers. */
    @Override
    public void close() {
        stop.run();
    }

    static Duration startTimeout() {
        return Duration.ofSeconds(90);
    }
}
