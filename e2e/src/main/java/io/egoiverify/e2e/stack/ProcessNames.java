package io.egoiverify.e2e.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The stack's process names: {@code broker}, {@code registry}, {@code sandbox}, {@code lifecycle-<i>}, {@code
 * worker-<i>}. */
final class ProcessNames {
    private final StackConfig config;

    ProcessNames(StackConfig config) {
        this.config = config;
    }

    static String lifecycle(int index) {
        return "lifecycle-" + index;
    }

    static String worker(int index) {
        return "worker-" + index;
    }

    static int stopRank(String name) {
        if (name.startsWith("worker-")) {
            return 0;
        }
        if (name.startsWith("lifecycle-")) {
            return 1;
        }
        return switch (name) {
            case "sandbox" -> 2;
            case "registry" -> 3;
            case "broker" -> 4;
            default -> 5;
        };
    }

    /** Every process the configuration asks for, plus any other this stack started (e.g. by scaling). */
    List<String> expected() {
        Set<String> names = new LinkedHashSet<>();
        names.add("broker");
        names.add("registry");
        names.add("sandbox");
        for (int i = 1; i <= config.lifecycles(); i++) {
            names.add(lifecycle(i));
        }
        for (int i = 1; i <= config.workers(); i++) {
            names.add(worker(i));
        }
        names.addAll(started());
        return List.copyOf(names);
    }

    /** Names that have a PID file (including instances added after {@code up}, e.g. by scaling). */
    List<String> started() {
        Path pids = config.stackDir().resolve("pids");
        if (!Files.isDirectory(pids)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(pids)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pid"))
                    .map(n -> n.substring(0, n.length() - ".pid".length())).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
