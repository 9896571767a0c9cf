package io.egoiverify.app.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command takes: the configuration layers a user controls from the command line. */
public final class CommonOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "A .properties file (overrides defaults; "
            + "overridden by EGOI_VERIFY_* environment variables and flags).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any setting, e.g. --set kafka.acks=all "
            + "(repeatable; highest precedence).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--log-format", paramLabel = "text|json", description = "Log format (setting log.format).")
    String logFormat;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "Level of the application's loggers.")
    String logLevel;

    /** The flags as settings: {@code --set} entries plus the specific flags. */
    Map<String, String> flags() {
        Map<String, String> m = new LinkedHashMap<>(set);
        if (logFormat != null) {
            m.put("log.format", logFormat);
        }
        if (logLevel != null) {
            m.put("log.level", logLevel);
        }
        return m;
    }
}
