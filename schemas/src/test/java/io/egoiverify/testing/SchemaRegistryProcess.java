package io.egoiverify.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Confluent-compatible schema registry (Apicurio Registry 2.4.2, in-memory storage) running as a separate JVM
 * on a free loopback port. The runner jar is built by the {@code test-registry} module and found through the system
 * property {@value #JAR_PROPERTY}, which the schemas module's Failsafe configuration sets.
 *
 * <p>Stopped by PID: {@link Process#destroy()}, then {@link Process#destroyForcibly()} if it does not exit in time. A
 * JVM shutdown hook stops it too, should a test run be aborted.
 */
public final class SchemaRegistryProcess implements AutoCloseable {
    public static final String JAR_PROPERTY = "egoi.test.registry.jar";
    /** Where Apicurio serves the Confluent Schema Registry API. */
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final int httpsPort;
    private final Path log;
    private final Thread shutdownHook;

    private SchemaRegistryProcess(Process process, int port, int httpsPort, Path log) {
        this.process = process;
        this.port = port;
        this.httpsPort = httpsPort;
        this.log = log;
        this.shutdownHook = new Thread(process::destroyForcibly, "stop-schema-registry-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts the registry from the jar named by {@value #JAR_PROPERTY} and waits until it serves requests. */
    public static SchemaRegistryProcess start() {
        return start(jarFromSystemProperty());
    }

    public static SchemaRegistryProcess start(Path runnerJar) {
        return start(runnerJar, 0, List.of());
    }

    /**
     * Serves HTTPS too, on a second loopback port ({@link #httpsUrl}), with the server certificate of {@code pki}
     * (it names {@code IP:127.0.0.1} only). With {@code mutualTls} the HTTPS port refuses clients without a certificate
     * signed by the CA of {@code pki}. The plain HTTP port stays open for the readiness probe; tests of TLS use the
     * HTTPS one.
     */
    public static SchemaRegistryProcess startHttps(TestPki pki, boolean mutualTls) {
        int httpsPort = freeLoopbackPort();
        List<String> properties = new ArrayList<>(List.of(
                "-Dquarkus.http.ssl-port=" + httpsPort,
                "-Dquarkus.http.ssl.certificate.key-store-file=" + pki.serverP12,
                "-Dquarkus.http.ssl.certificate.key-store-file-type=PKCS12",
                "-Dquarkus.http.ssl.certificate.key-store-password=" + TestPki.PASSWORD));
        if (mutualTls) {
            properties.addAll(List.of(
                    "-Dquarkus.http.ssl.certificate.trust-store-file=" + pki.truststoreP12,
                    "-Dquarkus.http.ssl.certificate.trust-store-file-type=PKCS12",
                    "-Dquarkus.http.ssl.certificate.trust-store-password=" + TestPki.PASSWORD,
                    // test-registry's ClientCertificates: quarkus.http.ssl.client-auth is fixed at build time
                    "-Degoi.test.registry.client-auth=required"));
        }
        return start(jarFromSystemProperty(), httpsPort, properties);
    }

    private static SchemaRegistryProcess start(Path runnerJar, int httpsPort, List<String> properties) {
        int port = freeLoopbackPort();
        Path log;
        try {
            log = Files.createTempFile("schema-registry-" + port + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // Small and quick to start: it only holds a few schemas in memory.
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.log.level=WARN");
        command.addAll(properties);
        command.add("-jar");
        command.add(runnerJar.toString());
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the schema registry: " + command, e);
        }
        SchemaRegistryProcess registry = new SchemaRegistryProcess(process, port, httpsPort, log);
        try {
            registry.awaitReady();
        } catch (RuntimeException | Error e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    private static Path jarFromSystemProperty() {
        String value = System.getProperty(JAR_PROPERTY);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + JAR_PROPERTY + " is not set: run this test through"
                    + " Failsafe (mvn verify), which copies the registry runner jar built by the test-registry module"
                    + " and sets it; from an IDE, build test-registry and pass -D" + JAR_PROPERTY
                    + "=<path>/test-registry-<version>-runner.jar");
        }
        Path jar = Paths.get(value);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(JAR_PROPERTY + "=" + value + " does not exist: build the test-registry"
                    + " module first (mvn -pl test-registry install)");
        }
        return jar;
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(ccompatUrl() + "/subjects"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        try {
            Awaitility.await("schema registry on port " + port).atMost(READY_TIMEOUT)
                    .pollDelay(Duration.ofMillis(200)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the schema registry process exited with code "
                                    + process.exitValue() + "; its output:\n" + logTail());
                        }
                        try {
                            return http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                        } catch (IOException e) {
                            return false; // not listening yet
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the schema registry did not answer within " + READY_TIMEOUT
                    + "; its output:\n" + logTail(), e);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The Confluent-compatible API root: what {@code schema.registry.url} should be. */
    public String ccompatUrl() {
        return baseUrl() + CCOMPAT_PATH;
    }

    /**
     * The Confluent-compatible API root over HTTPS at {@code host} ({@code 127.0.0.1}, or {@code localhost}, which
     * the test certificate does not name). Only for a registry from {@link #startHttps}.
     */
    public String httpsUrl(String host) {
        if (httpsPort == 0) {
            throw new IllegalStateException("this registry serves HTTP only: start it with startHttps");
        }
        return "https://" + host + ":" + httpsPort + CCOMPAT_PATH;
    }

    /** {@code https://127.0.0.1:<https port>/apis/ccompat/v7}: the host the test certificate names. */
    public String httpsUrl() {
        return httpsUrl("127.0.0.1");
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last few KB of the registry's output, for failure messages. */
    public String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= 8192 ? text : text.substring(text.length() - 8192);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Stops the process: a polite TERM first, a KILL if it does not exit in time. Idempotent. */
    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs anyway
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file; harmless if it stays
        }
    }
}
