package io.egoiverify.e2e.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void whatUpWasAskedForIsWhatStatusAndDownRead() {
        StackConfig config = new StackConfig(dir.resolve("stack"), Path.of("/a/egoi-verify.jar"),
                Path.of("/b/registry-runner.jar"), Path.of("/c/libs"), StackConfig.Ports.fixed(), 3, 4, 12,
                List.of("-Xmx1g", "-XX:+UseSerialGC"), Map.of("lifecycle.default-ttl", "120s"),
                List.of("num.io.threads=2", "num.network.threads=1"));
        StackConfigFile.save(config, dir.resolve("stack.properties"));

        assertThat(StackConfigFile.load(dir.resolve("stack.properties"))).isEqualTo(config);
    }

    @Test
    void refusesCountsOutsideWhatTheFixedPortsAllow() {
        assertThatThrownBy(() -> new StackConfig(dir, dir, dir, dir, StackConfig.Ports.fixed(), 10, 1, 6, List.of(),
                Map.of())).hasMessageContaining("0..9");
        assertThatThrownBy(() -> new StackConfig(dir, dir, dir, dir, StackConfig.Ports.fixed(), 1, 1, 0, List.of(),
                Map.of())).hasMessageContaining("partitions");
    }

    @Test
    void theRegistryJarIsFoundByItsRunnerSuffix() throws Exception {
        java.nio.file.Files.createFile(dir.resolve("test-registry-0.1.0-SNAPSHOT-runner.jar"));
        assertThat(StackConfig.findRegistryJar(dir).getFileName().toString())
                .isEqualTo("test-registry-0.1.0-SNAPSHOT-runner.jar");
    }
}
