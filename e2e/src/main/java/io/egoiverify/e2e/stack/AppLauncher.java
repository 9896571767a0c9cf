package io.egoiverify.e2e.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the application jar: the one-shot {@code schemas register}, and long-running instances (sandbox, lifecycle,
 * worker), each from a properties file written under {@code config/} (the exact settings it ran with).
 */
final class AppLauncher {
    private final StackConfig config;

    AppLauncher(StackConfig config) {
        this.config = config;
    }

    /**
     * Registers every schema under its subject with the application's own {@code schemas register} command, as a
     * deployment does before starting instances (production runs with {@code auto.register.schemas=false} for
     * inputs). It also keeps instances from racing to register the same subject at their first record, which the
     * Apicurio test registry answers with a 500.
     */
    void registerSchemas() {
        registerSchemas(Map.of());
    }

    /** The same, with extra settings (e.g. {@code topics.prefix}: the subjects follow the topic names). */
    void registerSchemas(Map<String, String> extra) {
        Map<String, String> settings = new TreeMap<>();
        settings.put("schema.registry.url", config.ports().registryUrl());
        settings.putAll(extra);
        Path configFile = writeAppConfig("schemas", settings);
        List<String> command = new ArrayList<>();
        command.add(LocalStack.javaBinary());
        command.addAll(config.jvmOptions());
        command.addAll(List.of("-jar", config.appJar().toString(), "schemas", "register", "--config",
                configFile.toString()));
        Path log = config.stackDir().resolve("logs").resolve("schemas.log");
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            System.getenv().keySet().stream().filter(k -> k.startsWith("EGOI_VERIFY_"))
                    .forEach(builder.environment()::remove);
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("schemas register failed; log " + log + ":\n"
                        + Files.readString(log, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Replaced by the instance's name in every setting value. */
    static final String INSTANCE_PLACEHOLDER = "{instance}";

    /** The settings of one application instance; {@link StackConfig#appSettings()} overrides them. */
    Map<String, String> appSettings(String name, int opsPort) {
        Map<String, String> settings = new TreeMap<>();
        settings.put("kafka.bootstrap.servers", config.ports().bootstrap());
        settings.put("schema.registry.url", config.ports().registryUrl());
        settings.put("topics.partitions", Integer.toString(config.partitions()));
        // The sandbox speaks both dialects on one port: V2 (the default) under /api/v2, the guide's under /api/public.
        boolean guide = "guide".equals(config.appSettings().get("egoi.api"));
        settings.put("egoi.base-url", config.ports().sandboxUrl() + (guide ? "/api/public" : "/api"));
        settings.put("profile.default.api-key", LocalStack.SANDBOX_API_KEY);
        settings.put("profile.default.sender-id", LocalStack.SANDBOX_SENDER_ID);
        settings.put("profile.default.sender-hash", LocalStack.SANDBOX_SENDER_HASH);
        settings.put("ops.host", StackConfig.HOST);
        settings.put("ops.port", Integer.toString(opsPort));
        if (name.startsWith("lifecycle-")) {
            // Two lifecycle instances on one host must not share Kafka Streams' default state directory.
            settings.put("kafka.state.dir", config.stackDir().resolve(name).resolve("streams-state").toString());
            // Session, heartbeat and transaction timeouts: the lifecycle's own (6 s / 1 s / 4 s), as in production.
        } else {
            // Stable per instance, unique among live ones: the default (derived from the host name) would make the
            // workers of one host fence each other.
            settings.put("worker.transactional-id", "egoi-verify-" + name);
            // Session, heartbeat and transaction timeouts: the worker's own (6 s / 1 s / 4 s), as in production.
        }
        if (name.equals("lifecycle-2")) {
            // The second lifecycle has its number guard issue the granted sends (off by default), the first not: every
            // stack runs both send paths side by side, and the fault tests move tasks between them.
            settings.put("lifecycle.guard-issues-commands", "true");
        }
        settings.putAll(config.appSettings());
        // "{instance}" in a value is this instance's name: e.g. kafka.group.instance.id={instance} (static membership,
        // unique per instance and stable across its restarts, like a StatefulSet's pod name)
        settings.replaceAll((k, v) -> v.replace(INSTANCE_PLACEHOLDER, name));
        return settings;
    }

    Path writeAppConfig(String name, Map<String, String> settings) {
        Path configFile = config.stackDir().resolve("config").resolve(name + ".properties");
        try {
            Files.createDirectories(configFile.getParent());
            StringBuilder text = new StringBuilder("# Written by e2e/local-stack for " + name + "\n");
            settings.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
            Files.writeString(configFile, text.toString(), StandardCharsets.UTF_8);
            return configFile;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start(ManagedProcess process, List<String> args, Map<String, String> settings) {
        Path dir = config.stackDir().resolve(process.name());
        Path configFile = writeAppConfig(process.name(), settings);
        List<String> command = new ArrayList<>();
        command.add(LocalStack.javaBinary());
        command.addAll(config.jvmOptions());
        command.add("-jar");
        command.add(config.appJar().toString());
        command.addAll(args);
        command.add("--config");
        command.add(configFile.toString());
        Map<String, String> env = new LinkedHashMap<>();
        // The application rejects unknown EGOI_VERIFY_* variables; the stack passes everything through its file.
        System.getenv().keySet().stream().filter(k -> k.startsWith("EGOI_VERIFY_")).forEach(k -> env.put(k, null));
        process.start(command, env, dir);
    }
}
