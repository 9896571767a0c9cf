package io.egoiverify.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;

/**
 * What a command may use from its surroundings, injected so that tests run commands in-process: the standard streams,
 * the environment (the configuration's environment layer) and whether to install a JVM shutdown hook for SIGTERM.
 */
public record AppContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                         boolean shutdownHook) {
    public AppContext {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        env = Map.copyOf(env);
    }

    public static AppContext system() {
        return new AppContext(System.out, System.err, System.in, System.getenv(), true);
    }
}
