package io.egoiverify.e2e.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Checks made before {@code up} starts anything, so that it fails with one clear line instead of half a stack. */
final class Preflight {
    private Preflight() {
    }

    static void checkArtifacts(StackConfig config) {
        require(config.appJar(), "the application jar; build it with: mvn -B -DskipTests package -pl app -am");
        require(config.registryJar(),
                "the registry runner jar; build it with: mvn -B -DskipTests package -pl test-registry");
        require(config.stackLibs(), "the broker's jars; build them with: mvn -B -DskipTests package -pl e2e -am");
    }

    /** Fails before starting anything if a port a stopped process of this stack needs is taken by someone else. */
    static void checkPortsFree(StackConfig config, Predicate<String> running) {
        StackConfig.Ports p = config.ports();
        Map<String, List<Integer>> needs = new LinkedHashMap<>();
        needs.put("broker", List.of(p.broker(), p.controller()));
        needs.put("registry", List.of(p.registry()));
        needs.put("sandbox", List.of(p.sandbox()));
        for (int i = 1; i <= config.lifecycles(); i++) {
            needs.put(LocalStack.lifecycleName(i), List.of(p.lifecycleBase() + i));
        }
        for (int i = 1; i <= config.workers(); i++) {
            needs.put(LocalStack.workerName(i), List.of(p.workerBase() + i));
        }
        List<String> taken = new ArrayList<>();
        needs.forEach((name, ports) -> {
            if (!running.test(name)) {
                for (int port : ports) {
                    try (ServerSocket socket = new ServerSocket()) {
                        socket.bind(new InetSocketAddress(StackConfig.HOST, port));
                    } catch (IOException e) {
                        taken.add(port + " (" + name + ")");
                    }
                }
            }
        });
        if (!taken.isEmpty()) {
            throw new IllegalStateException("loopback port(s) already in use by another process: "
                    + String.join(", ", taken) + " (is `egoi-verify.jar dev` or another stack running?)");
        }
    }

    private static void require(Path path, String what) {
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " does not exist: it is " + what);
        }
    }
}
