package io.egoiverify.e2e.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OS process of the stack. Its PID is written to a PID file, and its command line carries a marker
 * ({@code -Degoi.stack.process=<stack dir>#<name>}) so that a later {@code down} in another JVM stops it only if the
 * PID still belongs to the process this stack started (PIDs are reused).
 */
public final class ManagedProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedProcess.class);
    public static final String MARKER_PROPERTY = "egoi.stack.process";
    /** First line written to the log at each start; readiness probes only look after the last one. */
    public static final String START_BANNER = "=== egoi-stack start ";

    private final String name;
    private final Path pidFile;
    private final Path logFile;
    private final String marker;

    public ManagedProcess(String name, Path stackDir) {
        this.name = Objects.requireNonNull(name, "name");
        Path dir = stackDir.toAbsolutePath().normalize();
        this.pidFile = dir.resolve("pids").resolve(name + ".pid");
        this.logFile = dir.resolve("logs").resolve(name + ".log");
        this.marker = "-D" + MARKER_PROPERTY + "=" + dir + "#" + name;
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    /** The JVM option that marks the command line; {@link #start} inserts it after the java binary. */
    public String marker() {
        return marker;
    }

    /**
     * Starts {@code command} (its first element is the java binary) with stdout and stderr appended to the log file
     * and stdin from /dev/null, so the process outlives the JVM that started it. An {@code env} entry with a null
     * value removes that variable from the inherited environment.
     */
    public long start(List<String> command, Map<String, String> env, Path workDir) {
        if (handle().isPresent()) {
            throw new IllegalStateException(name + " is already running (pid " + handle().get().pid() + ")");
        }
        List<String> full = new ArrayList<>(command.size() + 1);
        full.add(command.get(0));
        full.add(marker);
        full.addAll(command.subList(1, command.size()));
        try {
            Files.createDirectories(pidFile.getParent());
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(workDir);
            Files.writeString(logFile, START_BANNER + Instant.now() + " " + name + ": "
                    + String.join(" ", full) + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(full)
                    .directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            env.forEach((key, value) -> {
                if (value == null) {
                    builder.environment().remove(key);
                } else {
                    builder.environment().put(key, value);
                }
            });
            Process process = builder.start();
            Files.writeString(pidFile, Long.toString(process.pid()), StandardCharsets.UTF_8);
            LOG.debug("started {} pid {}", name, process.pid());
            return process.pid();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** The live process this stack started under this name, if any (checked against the command-line marker). */
    public Optional<ProcessHandle> handle() {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isOurs);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private boolean isOurs(ProcessHandle handle) {
        Optional<String> commandLine = handle.info().commandLine();
        if (commandLine.isPresent()) {
            return commandLine.get().contains(marker);
        }
        // Some platforms hide other processes' arguments; /proc is authoritative on Linux.
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(handle.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).contains(marker);
        } catch (IOException e) {
            return false;
        }
    }

    public boolean alive() {
        return handle().isPresent();
    }

    public Optional<Long> pid() {
        return handle().map(ProcessHandle::pid);
    }

    /** SIGTERM, then SIGKILL if still alive after {@code grace}. Returns true if a process was stopped. */
    public boolean stop(Duration grace) {
        Optional<ProcessHandle> handle = handle();
        if (handle.isEmpty()) {
            deletePidFile();
            return false;
        }
        ProcessHandle process = handle.get();
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("{} did not stop within {}; killing it", name, grace);
            process.destroyForcibly();
            awaitExit(process);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deletePidFile();
        return true;
    }

    /** SIGKILL (kill -9): no shutdown hooks, no commit. For fault tests. */
    public boolean kill() {
        Optional<ProcessHandle> handle = handle();
        handle.ifPresent(process -> {
            process.destroyForcibly();
            awaitExit(process);
        });
        deletePidFile();
        return handle.isPresent();
    }

    private static void awaitExit(ProcessHandle process) {
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void deletePidFile() {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            LOG.debug("cannot delete {}", pidFile, e);
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String tail(int lines) {
        try {
            if (!Files.exists(logFile)) {
                return "(no log)";
            }
            List<String> all = Files.readAllLines(logFile, StandardCharsets.ISO_8859_1);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read log: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
