package io.egoiverify.e2e.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Everything needed to start a local stack. Immutable.
 *
 * @param stackDir       state directory: PID files, logs, broker data, per-instance state
 * @param appJar         the shaded application jar ({@code app/target/egoi-verify.jar})
 * @param registryJar    the Apicurio runner jar ({@code test-registry/target/*-runner.jar})
 * @param stackLibs      directory of jars the broker runs from (e2e/target/stack-libs)
 * @param ports          loopback ports
 * @param lifecycles     number of lifecycle (streams-state) instances
 * @param workers        number of worker instances
 * @param partitions     partition count of every topic
 * @param jvmOptions     options for every JVM of the stack (heap, GC)
 * @param appSettings    extra {@code --set key=value} settings for lifecycle and worker instances
 * @param brokerProperties extra {@code key=value} lines for the broker's server.properties (they win over the stack's)
 */
public record StackConfig(Path stackDir, Path appJar, Path registryJar, Path stackLibs, Ports ports, int lifecycles,
                          int workers, int partitions, List<String> jvmOptions, Map<String, String> appSettings,
                          List<String> brokerProperties) {

    public static final String HOST = "127.0.0.1";
    static final String ABUSE_KEY = "abuse.hmac-key";
    public static final List<String> DEFAULT_JVM_OPTIONS =
            List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    public StackConfig {
        Objects.requireNonNull(stackDir, "stackDir");
        Objects.requireNonNull(appJar, "appJar");
        Objects.requireNonNull(registryJar, "registryJar");
        Objects.requireNonNull(stackLibs, "stackLibs");
        Objects.requireNonNull(ports, "ports");
        if (lifecycles < 0 || workers < 0 || lifecycles > 9 || workers > 9) {
            throw new IllegalArgumentException("lifecycle and worker instances must be 0..9");
        }
        if (partitions < 1 || partitions > 1000) {
            throw new IllegalArgumentException("partitions must be 1..1000");
        }
        stackDir = stackDir.toAbsolutePath().normalize();
        jvmOptions = List.copyOf(jvmOptions);
        appSettings = withAbuseKey(appSettings);
        brokerProperties = List.copyOf(brokerProperties);
    }

    /** A stack with the broker's own settings only. */
    public StackConfig(Path stackDir, Path appJar, Path registryJar, Path stackLibs, Ports ports, int lifecycles,
                       int workers, int partitions, List<String> jvmOptions, Map<String, String> appSettings) {
        this(stackDir, appJar, registryJar, stackLibs, ports, lifecycles, workers, partitions, jvmOptions, appSettings,
                List.of());
    }

    /**
     * {@code LOCAL_STACK_BROKER_PROPERTIES} (whitespace-separated {@code key=value}), read by the commands that start a
     * stack ({@code local-stack up}, the benchmarks), never by the tests' stack.
     */
    public static List<String> brokerPropertiesFromEnv() {
        String extra = System.getenv().getOrDefault("LOCAL_STACK_BROKER_PROPERTIES", "").strip();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    /**
     * Per-number limits are on by default and every lifecycle instance needs the same key: one random key per stack,
     * made when the stack is first configured and saved with it (so {@code scale} reuses it).
     */
    private static Map<String, String> withAbuseKey(Map<String, String> settings) {
        if (settings.containsKey(ABUSE_KEY)) {
            return Map.copyOf(settings);
        }
        byte[] key = new byte[48];
        new SecureRandom().nextBytes(key);
        Map<String, String> m = new TreeMap<>(settings);
        m.put(ABUSE_KEY, Base64.getEncoder().encodeToString(key));
        return Map.copyOf(m);
    }

    /**
     * Loopback ports. Lifecycle instance {@code i} (1-based) serves health/metrics on {@code lifecycleBase + i},
     * worker {@code i} on {@code workerBase + i}.
     */
    public record Ports(int broker, int controller, int registry, int sandbox, int lifecycleBase, int workerBase) {

        /** The fixed ports of {@code e2e/local-stack} (documented in e2e/README.md). */
        public static Ports fixed() {
            return new Ports(19092, 19093, 18081, 18089, 18100, 18200);
        }

        /**
         * Free ports, for tests and benchmarks that must not collide with a running local stack or each other. Chosen
         * below the kernel's ephemeral range: a port there that is free now can be taken, before the process that is
         * to listen on it starts, by any outgoing connection's local port (a worker of a benchmark stack once failed
         * to start with "Address already in use" that way).
         */
        public static Ports free() {
            return new Ports(freePort(), freePort(), freePort(), freePort(), freeBlock(), freeBlock());
        }

        public String bootstrap() {
            return HOST + ":" + broker;
        }

        public String registryUrl() {
            return "http://" + HOST + ":" + registry + "/apis/ccompat/v7";
        }

        public String sandboxUrl() {
            return "http://" + HOST + ":" + sandbox;
        }

        private static int freePort() {
            for (int attempt = 0; attempt < 200; attempt++) {
                int port = randomBelowEphemeral(1);
                if (isFree(port)) {
                    return port;
                }
            }
            throw new IllegalStateException("no free port below " + EPHEMERAL_LOW);
        }

        /** A base b such that b+1..b+9 are free now (best effort: probed, not reserved). */
        private static int freeBlock() {
            for (int attempt = 0; attempt < 50; attempt++) {
                int base = randomBelowEphemeral(10);
                if (Stream.iterate(base + 1, p -> p + 1).limit(9).allMatch(Ports::isFree)) {
                    return base;
                }
            }
            throw new IllegalStateException("no free block of 9 ports");
        }

        /** First port of the kernel's ephemeral range (Linux default 32768), read once. */
        private static final int EPHEMERAL_LOW = ephemeralLow();
        private static final int LOWEST = 10_000;

        private static int randomBelowEphemeral(int width) {
            return LOWEST + ThreadLocalRandom.current().nextInt(EPHEMERAL_LOW - LOWEST - width);
        }

        private static int ephemeralLow() {
            try {
                String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
                int low = Integer.parseInt(range.split("\\s+")[0]);
                return low > LOWEST + 1_000 ? low : 32_768;
            } catch (IOException | RuntimeException e) {
                return 32_768; // not Linux, or not readable: the usual default
            }
        }

        private static boolean isFree(int port) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** The registry runner jar inside a build directory (the quarkus build names it *-runner.jar). */
    public static Path findRegistryJar(Path buildDir) {
        try (Stream<Path> files = Files.exists(buildDir) ? Files.list(buildDir) : Stream.empty()) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElse(buildDir.resolve("test-registry-runner.jar"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public StackConfig withInstances(int newLifecycles, int newWorkers) {
        return new StackConfig(stackDir, appJar, registryJar, stackLibs, ports, newLifecycles, newWorkers, partitions,
                jvmOptions, appSettings, brokerProperties);
    }
}
