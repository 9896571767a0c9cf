package io.egoiverify.app;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the CLI in-process with captured streams (no System.exit, no shutdown hook). */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(Map<String, String> env, String... args) {
        return of(env, new ByteArrayInputStream(new byte[0]), args);
    }

    public static CliRun of(Map<String, String> env, InputStream in, String... args) {
        return of(env, in, new java.util.concurrent.CompletableFuture<>(), args);
    }

    /** Runs until the command ends by itself or {@code stop} completes (what SIGTERM does outside tests). */
    public static CliRun of(Map<String, String> env, InputStream in, java.util.concurrent.CompletableFuture<Void> stop,
                            String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.execute(new AppContext(o, e, in, env, false, stop), args);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The error output as lines (a configuration error must be exactly one). */
    public java.util.List<String> errLines() {
        return err.lines().filter(l -> !l.isBlank()).toList();
    }
}
