package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.ConfigException;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.Setting;
import io.egoiverify.app.config.SettingDef;
import io.egoiverify.app.config.Settings;
import io.egoiverify.app.config.SettingsCatalog;
import io.egoiverify.app.config.SettingsLoader;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "settings", mixinStandardHelpOptions = true,
        description = "Print the effective settings and where each comes from (secrets masked), or with --markdown "
                + "the table of every setting (docker/CONFIGURATION.md is generated from it). With --check, also "
                + "validate every value as `run` does before it starts (exit 2 on the first bad one).")
public final class SettingsCommand implements Callable<Integer> {
    private final AppContext ctx;

    @Mixin
    CommonOptions common;

    @Option(names = "--markdown", description = "Print the documentation table of every setting.")
    boolean markdown;

    @Option(names = "--check", description = "Validate the values too, as `run` would (names alone are always "
            + "checked): exit 0 when `run` would accept them, 2 otherwise.")
    boolean check;

    @Option(names = "--role", paramLabel = "state|worker|all", description = "With --check: the role to check for "
            + "(setting role).")
    String role;

    public SettingsCommand(AppContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (markdown) {
            ctx.out().print(table());
            return Main.EXIT_OK;
        }
        try {
            Map<String, String> flags = new HashMap<>(common.flags());
            if (role != null) {
                flags.put("role", role);
            }
            Settings s = SettingsLoader.load(common.config, ctx.env(), flags);
            for (Map.Entry<String, Setting> e : new TreeMap<>(s.all()).entrySet()) {
                ctx.out().printf("%-44s %-40s %s%n", e.getKey(), e.getValue().shownValue(), e.getValue().origin());
            }
            if (check) {
                AppConfig config = AppConfig.from(s, Mode.RUN);
                ctx.out().println("ok: `run --role " + config.role().settingValue()
                        + "` would accept these settings");
            }
            return Main.EXIT_OK;
        } catch (ConfigException e) {
            ctx.err().println("error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
    }

    /** The Markdown table of every setting: key, environment variable, default, meaning. */
    public static String table() {
        StringBuilder b = new StringBuilder();
        b.append("| setting | environment variable | default | meaning |\n|---|---|---|---|\n");
        for (SettingDef d : SettingsCatalog.definitions()) {
            String env = SettingsLoader.envName(d.key()).replace("<NAME>", "<NAME>");
            String dflt = d.defaultValue() == null ? "" : d.defaultValue().isEmpty() ? "(empty)" : "`"
                    + d.defaultValue() + "`";
            if (SettingsCatalog.isSecret(d.key()) && d.defaultValue() != null) {
                dflt += " (dev only)";
            }
            b.append("| `").append(d.key()).append("` | `").append(env).append("` | ").append(dflt).append(" | ")
                    .append(d.description().replace("|", "\\|")).append(" |\n");
        }
        b.append("| `kafka.<property>` | `EGOI_VERIFY_KAFKA_<PROPERTY>` |  | Any Kafka client property, passed to "
                + "every client (consumer, producer, admin, Kafka Streams): security, SASL/SSL, timeouts, "
                + "`state.dir`, ... The worker keeps its guarantees (read_committed, its transactional id, "
                + "idempotence, acks=all) and its `worker.*` session and transaction timeouts. |\n");
        return b.toString();
    }
}
