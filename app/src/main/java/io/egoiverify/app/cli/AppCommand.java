package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.ConfigException;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.Settings;
import io.egoiverify.app.config.SettingsLoader;
import io.egoiverify.app.ops.Logging;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * Base of every command: resolve and validate the configuration first (a bad setting exits 2 with one line before
 * anything starts), apply the log settings, then run.
 */
abstract class AppCommand implements Callable<Integer> {
    protected final AppContext ctx;

    @Mixin
    CommonOptions common;

    AppCommand(AppContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public final Integer call() throws Exception {
        AppConfig config;
        try {
            Map<String, String> flags = new LinkedHashMap<>(common.flags());
            flags.putAll(specificFlags());
            Settings settings = adjust(SettingsLoader.load(common.config, ctx.env(), flags));
            config = AppConfig.from(settings, mode());
            validateMore(config);
        } catch (ConfigException e) {
            ctx.err().println("error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        Logging.configure(config.ops().logFormat(), config.ops().logLevel());
        return run(config);
    }

    protected abstract Mode mode();

    /** Settings from this command's own flags (e.g. {@code --role}); they override {@code --set}. */
    protected Map<String, String> specificFlags() {
        return Map.of();
    }

    /** Mode-specific defaults applied on top of the loaded settings. */
    protected Settings adjust(Settings settings) {
        return settings;
    }

    /** Command-specific checks that need the whole configuration. */
    protected void validateMore(AppConfig config) {
    }

    protected abstract int run(AppConfig config) throws Exception;
}
