package io.egoiverify.e2e.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Apicurio schema registry (Confluent-compatible API) from the test-registry module's runner jar, in memory. */
final class RegistryProcess {
    private final StackConfig config;
    private final ManagedProcess process;

    RegistryProcess(StackConfig config) {
        this.config = config;
        this.process = new ManagedProcess("registry", config.stackDir());
    }

    /** Starts the registry unless it runs (does not wait for readiness). */
    void start() {
        if (process.alive()) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(LocalStack.javaBinary());
        command.addAll(config.jvmOptions());
        command.add("-Dquarkus.http.host=" + StackConfig.HOST);
        command.add("-Dquarkus.http.port=" + config.ports().registry());
        command.add("-jar");
        command.add(config.registryJar().toString());
        process.start(command, Map.of(), config.stackDir().resolve("registry"));
    }
}
