package io.egoiverify.e2e.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code e2e/local-stack up|down|status|scale} — see e2e/README.md. Exit code 0 on success; {@code status} exits 1 when
 * a process is not alive and ready.
 */
public final class LocalStackMain {
    private static final String USAGE = """
            usage: e2e/local-stack <command> [options]
              up      [--lifecycles N] [--workers M] [--partitions P] [--set key=value]...
                      start broker, registry, E-goi sandbox, N lifecycle and M worker instances (defaults 2/2/6)
              down    [--clean]   stop what this stack started (by PID); --clean also deletes its state directory
              status              list each process: PID, alive, ready, log
              scale   [--lifecycles N] [--workers M]   start or stop instances to reach these counts
            common options: --dir <state dir> (default <repo>/.local-stack)
            up options:     --app-jar <egoi-verify.jar> --registry-jar <runner jar> (default: the build's)
            """;

    private LocalStackMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            return switch (options.command) {
                case "up" -> up(options, out);
                case "down" -> down(options, out);
                case "status" -> status(options, out);
                case "scale" -> scale(options, out);
                default -> {
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (RuntimeException e) {
            err.println("local-stack " + options.command + " failed: " + e.getMessage());
            if ((options.command.equals("up") || options.command.equals("scale")) && anyAlive(options)) {
                err.println("what did start is still running: see `e2e/local-stack status`, stop it with "
                        + "`e2e/local-stack down`");
            }
            return 1;
        }
    }

    private static int up(Options options, PrintStream out) {
        StackConfig config = options.newConfig();
        out.printf("starting the local stack in %s: %d lifecycle, %d worker instances, %d partitions%n",
                config.stackDir(), config.lifecycles(), config.workers(), config.partitions());
        LocalStack stack = new LocalStack(config);
        stack.up();
        printStatus(stack, out);
        StackConfig.Ports ports = config.ports();
        out.printf("%nkafka.bootstrap.servers=%s%nschema.registry.url=%s%nE-goi sandbox: %s%n", ports.bootstrap(),
                ports.registryUrl(), ports.sandboxUrl());
        return 0;
    }

    private static int down(Options options, PrintStream out) {
        Path file = options.dir().resolve(LocalStack.CONFIG_FILE);
        if (!Files.exists(file)) {
            out.println("no local stack in " + options.dir());
        } else {
            List<String> stopped = new LocalStack(StackConfigFile.load(file)).down();
            out.println(stopped.isEmpty() ? "nothing was running" : "stopped " + String.join(", ", stopped));
        }
        if (options.clean) {
            deleteTree(options.dir());
            out.println("deleted " + options.dir());
        }
        return 0;
    }

    private static int status(Options options, PrintStream out) {
        Path file = options.dir().resolve(LocalStack.CONFIG_FILE);
        if (!Files.exists(file)) {
            out.println("no local stack in " + options.dir());
            return 1;
        }
        return printStatus(new LocalStack(StackConfigFile.load(file)), out) ? 0 : 1;
    }

    private static int scale(Options options, PrintStream out) {
        Path file = options.dir().resolve(LocalStack.CONFIG_FILE);
        if (!Files.exists(file)) {
            throw new IllegalStateException("no local stack in " + options.dir() + ": run up first");
        }
        StackConfig old = StackConfigFile.load(file);
        int lifecycles = options.lifecycles == null ? old.lifecycles() : options.lifecycles;
        int workers = options.workers == null ? old.workers() : options.workers;
        LocalStack stack = new LocalStack(old.withInstances(lifecycles, workers));
        stack.scale(lifecycles, workers);
        printStatus(stack, out);
        return 0;
    }

    private static boolean anyAlive(Options options) {
        Path file = options.dir().resolve(LocalStack.CONFIG_FILE);
        return Files.exists(file) && new LocalStack(StackConfigFile.load(file)).status().stream()
                .anyMatch(LocalStack.ProcessStatus::alive);
    }

    private static boolean printStatus(LocalStack stack, PrintStream out) {
        boolean allGood = true;
        out.printf("%-13s %-8s %-6s %-6s %s%n", "PROCESS", "PID", "ALIVE", "READY", "LOG");
        for (LocalStack.ProcessStatus s : stack.status()) {
            out.printf("%-13s %-8s %-6s %-6s %s%n", s.name(), s.pid() == null ? "-" : s.pid(), s.alive() ? "yes" : "no",
                    s.ready() ? "yes" : "no", s.log());
            allGood &= s.alive() && s.ready();
        }
        stack.topicSummary().ifPresent(t -> out.println("topics: " + t));
        return allGood;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parsed command line. */
    private static final class Options {
        String command;
        Path root = Path.of(".");
        Path dir;
        Integer lifecycles;
        Integer workers;
        int partitions = 6;
        boolean clean;
        Path appJar;
        Path registryJar;
        final Map<String, String> settings = new TreeMap<>();

        static Options parse(String[] args) {
            Options o = new Options();
            List<String> rest = new ArrayList<>(Arrays.asList(args));
            while (!rest.isEmpty()) {
                String arg = rest.remove(0);
                switch (arg) {
                    case "--root" -> o.root = Path.of(value(rest, arg));
                    case "--dir" -> o.dir = Path.of(value(rest, arg));
                    case "--lifecycles", "--lifecycle" -> o.lifecycles = count(value(rest, arg), arg);
                    case "--workers" -> o.workers = count(value(rest, arg), arg);
                    case "--partitions" -> o.partitions = count(value(rest, arg), arg);
                    case "--clean" -> o.clean = true;
                    case "--app-jar" -> o.appJar = Path.of(value(rest, arg));
                    case "--registry-jar" -> o.registryJar = Path.of(value(rest, arg));
                    case "--set" -> {
                        String kv = value(rest, arg);
                        int eq = kv.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--set needs key=value, got " + kv);
                        }
                        o.settings.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                    default -> {
                        if (arg.startsWith("-") || o.command != null) {
                            throw new IllegalArgumentException("unexpected argument " + arg);
                        }
                        o.command = arg;
                    }
                }
            }
            if (o.command == null) {
                throw new IllegalArgumentException("no command given");
            }
            return o;
        }

        Path dir() {
            return (dir != null ? dir : root.resolve(".local-stack")).toAbsolutePath().normalize();
        }

        StackConfig newConfig() {
            Path r = root.toAbsolutePath().normalize();
            String jvm = System.getenv().getOrDefault("LOCAL_STACK_JVM_OPTS", "");
            List<String> jvmOptions = jvm.isBlank()
                    ? StackConfig.DEFAULT_JVM_OPTIONS : List.of(jvm.trim().split("\\s+"));
            return new StackConfig(dir(),
                    appJar != null ? appJar.toAbsolutePath() : r.resolve("app/target/egoi-verify.jar"),
                    registryJar != null ? registryJar.toAbsolutePath()
                            : StackConfig.findRegistryJar(r.resolve("test-registry/target")),
                    r.resolve("e2e/target/stack-libs"),
                    StackConfig.Ports.fixed(), lifecycles == null ? 2 : lifecycles, workers == null ? 2 : workers,
                    partitions, jvmOptions, settings, StackConfig.brokerPropertiesFromEnv());
        }

        private static String value(List<String> rest, String flag) {
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return rest.remove(0);
        }

        private static int count(String value, String flag) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs a number, got " + value);
            }
        }
    }
}
