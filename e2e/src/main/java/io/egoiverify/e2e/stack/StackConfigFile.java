package io.egoiverify.e2e.stack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Saves the configuration a stack was started with, so that {@code status} and {@code down} find its processes. */
final class StackConfigFile {
    private static final String APP_PREFIX = "app.";

    private StackConfigFile() {
    }

    static void save(StackConfig config, Path file) {
        Properties p = new Properties();
        p.setProperty("stack.dir", config.stackDir().toString());
        p.setProperty("artifact.app-jar", config.appJar().toString());
        p.setProperty("artifact.registry-jar", config.registryJar().toString());
        p.setProperty("artifact.stack-libs", config.stackLibs().toString());
        StackConfig.Ports ports = config.ports();
        p.setProperty("port.broker", Integer.toString(ports.broker()));
        p.setProperty("port.controller", Integer.toString(ports.controller()));
        p.setProperty("port.registry", Integer.toString(ports.registry()));
        p.setProperty("port.sandbox", Integer.toString(ports.sandbox()));
        p.setProperty("port.lifecycle-base", Integer.toString(ports.lifecycleBase()));
        p.setProperty("port.worker-base", Integer.toString(ports.workerBase()));
        p.setProperty("lifecycles", Integer.toString(config.lifecycles()));
        p.setProperty("workers", Integer.toString(config.workers()));
        p.setProperty("partitions", Integer.toString(config.partitions()));
        p.setProperty("jvm.options", String.join(" ", config.jvmOptions()));
        p.setProperty("broker.properties", String.join(" ", config.brokerProperties()));
        config.appSettings().forEach((k, v) -> p.setProperty(APP_PREFIX + k, v));
        try {
            Files.createDirectories(file.getParent());
            try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(writer, "e2e/local-stack: the configuration this stack was started with");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StackConfig load(Path file) {
        Properties p = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> app = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(APP_PREFIX)) {
                app.put(key.substring(APP_PREFIX.length()), p.getProperty(key));
            }
        }
        String jvm = p.getProperty("jvm.options", "").trim();
        List<String> jvmOptions = jvm.isEmpty() ? List.of() : Arrays.asList(jvm.split("\\s+"));
        String broker = p.getProperty("broker.properties", "").trim();
        List<String> brokerProperties = broker.isEmpty() ? List.of() : Arrays.asList(broker.split("\\s+"));
        StackConfig.Ports ports = new StackConfig.Ports(intOf(p, "port.broker"), intOf(p, "port.controller"),
                intOf(p, "port.registry"), intOf(p, "port.sandbox"), intOf(p, "port.lifecycle-base"),
                intOf(p, "port.worker-base"));
        return new StackConfig(Path.of(p.getProperty("stack.dir")), Path.of(p.getProperty("artifact.app-jar")),
                Path.of(p.getProperty("artifact.registry-jar")), Path.of(p.getProperty("artifact.stack-libs")), ports,
                intOf(p, "lifecycles"), intOf(p, "workers"), intOf(p, "partitions"), jvmOptions, app,
                brokerProperties);
    }

    private static int intOf(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("stack file lacks " + key);
        }
        return Integer.parseInt(value.trim());
    }
}
