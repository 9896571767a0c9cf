package io.egoiverify.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What a command may use from its surroundings, injected so that tests run commands in-process: the standard streams,
 * the environment (the configuration's environment layer), whether to install a JVM shutdown hook for SIGTERM, and a
 * stop signal that ends a long-running command the way SIGTERM would (for in-process tests).
 */
public record AppContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                         boolean shutdownHook, CompletableFuture<Void> stopSignal) {
    public AppContext {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        env = Map.copyOf(env);
        Objects.requireNonNull(stopSignal, "stopSignal");
    }

    public AppContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                      boolean shutdownHook) {
        this(out, err, in, env, shutdownHook, new CompletableFuture<>());
    }

    public static AppContext system() {
        return new AppContext(System.out, System.err, System.in, System.getenv(), true);
    }
}
