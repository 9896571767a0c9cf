package io.egoiverify.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.e2e.stack.StackConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The product's own command line against the local stack, run as a user runs it: {@code java -jar egoi-verify.jar
 * <command> ... --set kafka.bootstrap.servers=... --set schema.registry.url=...}, each command its own process.
 */
public final class AppCli {
    private static final List<String> JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
            "-Xmx128m");

    private final StackConfig config;

    public AppCli(StackConfig config) {
        this.config = config;
    }

    /** The connection settings a user passes to {@code publish} and {@code tail} (e2e/README.md's {@code $at}). */
    public List<String> clusterFlags() {
        return List.of("--set", "kafka.bootstrap.servers=" + config.ports().bootstrap(),
                "--set", "schema.registry.url=" + config.ports().registryUrl());
    }

    /** Operations URL of lifecycle instance {@code i} (1-based), for {@code status --url}. */
    public String lifecycleUrl(int instance) {
        return "http://" + StackConfig.HOST + ":" + (config.ports().lifecycleBase() + instance);
    }

    /** Runs a command to its end; returns its output (stdout and stderr) once it exited 0. */
    public String run(List<String> args) {
        try {
            Process p = builder(args).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("egoi-verify " + args + " ended").isTrue();
            assertThat(p.exitValue()).as("exit status of egoi-verify " + args + ":\n" + out).isZero();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a long-running command ({@code tail}); its standard output lines are collected as they come. */
    public Running start(List<String> args) {
        try {
            Process p = builder(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            return new Running(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProcessBuilder builder(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM);
        command.add("-jar");
        command.add(config.appJar().toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        // The application rejects unknown EGOI_VERIFY_* variables; the test passes everything as flags.
        System.getenv().keySet().stream().filter(k -> k.startsWith("EGOI_VERIFY_"))
                .forEach(builder.environment()::remove);
        return builder;
    }

    /** A command that runs until stopped; {@link #lines()} is what it printed so far. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();

        private Running(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "cli-output");
            reader.setDaemon(true);
            reader.start();
        }

        public List<String> lines() {
            return List.copyOf(lines);
        }

        public boolean alive() {
            return process.isAlive();
        }

        /** SIGTERM (the command's own shutdown), then SIGKILL if it does not end. */
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
