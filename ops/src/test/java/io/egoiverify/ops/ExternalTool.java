package io.egoiverify.ops;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A command-line tool the kit is checked with ({@code promtool}, {@code kubectl}), found on the {@code PATH}. On a
 * developer's machine without it the test is skipped with a message saying how to get it; where
 * {@value #REQUIRED_ENV} is {@code true} (CI sets it after installing the tools) a missing tool fails instead, so CI
 * can never skip silently.
 */
final class ExternalTool {
    static final String REQUIRED_ENV = "EGOI_TEST_TOOLS_REQUIRED";
    private final String name;
    private final Path executable;

    private ExternalTool(String name, Path executable) {
        this.name = name;
        this.executable = executable;
    }

    /** The tool, or the test is skipped (or failed, when tools are required) with {@code howToGet} in the message. */
    static ExternalTool require(String name, String howToGet) {
        Optional<Path> found = onPath(name);
        if (found.isPresent()) {
            return new ExternalTool(name, found.get());
        }
        String message = name + " is not on the PATH (" + howToGet + ")";
        if (Boolean.parseBoolean(System.getenv(REQUIRED_ENV))) {
            fail(message + "; " + REQUIRED_ENV + "=true makes a missing tool a failure");
        }
        Assumptions.abort("SKIPPED: " + message + "; set " + REQUIRED_ENV + "=true to make this a failure");
        throw new AssertionError("unreachable");
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Runs the tool in {@code dir} and returns its exit code and output (stdout and stderr together). */
    Result run(Path dir, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("egoi-ops-" + name, ".out");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(name + " did not finish within " + timeout + ": " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), String.join(" ", command));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The version line the tool prints, for the test's log. */
    String version(String... args) throws IOException, InterruptedException {
        String text = run(Path.of("."), Duration.ofSeconds(30), args).output().strip();
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    record Result(int exitCode, String output, String command) {
        /** The output, failing the test with it when the tool did not exit 0. */
        String ok() {
            if (exitCode != 0) {
                fail(command + " exited " + exitCode + ":\n" + output);
            }
            return output;
        }
    }
}
