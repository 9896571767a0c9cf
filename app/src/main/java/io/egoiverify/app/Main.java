package io.egoiverify.app;

import io.egoiverify.app.cli.DevCommand;
import io.egoiverify.app.cli.DlqCommand;
import io.egoiverify.app.cli.EgoiCommand;
import io.egoiverify.app.cli.PublishCommand;
import io.egoiverify.app.cli.RunCommand;
import io.egoiverify.app.cli.SandboxCommand;
import io.egoiverify.app.cli.SchemasCommand;
import io.egoiverify.app.cli.SettingsCommand;
import io.egoiverify.app.cli.StatusCommand;
import io.egoiverify.app.cli.TailCommand;
import io.egoiverify.app.cli.TopicsCommand;
import io.egoiverify.app.ops.OpsServer;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The single entry point of the product: {@code java -jar egoi-verify.jar <command>}. Exit codes: 0 success,
 * 1 failure at run time, 2 bad usage or configuration (always a one-line message on stderr).
 */
@Command(name = "egoi-verify", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "SMS two-factor verification over Kafka, backed by E-goi's Verify API.",
        subcommands = {RunCommand.class, DevCommand.class, SandboxCommand.class, PublishCommand.class,
                TailCommand.class, StatusCommand.class, DlqCommand.class, TopicsCommand.class, SchemasCommand.class,
                EgoiCommand.class, SettingsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_CONFIG = 2;

    private final AppContext ctx;

    static {
        // Before the first HTTP server of the JVM (the sandbox in dev mode may come before the operations server).
        OpsServer.preferTcpNoDelay();
        OpsServer.boundClientTimes();
    }

    public Main(AppContext ctx) {
        this.ctx = ctx;
    }

    public static void main(String[] args) {
        System.exit(execute(AppContext.system(), args));
    }

    /** Runs one command in-process and returns its exit code (tests call this; {@link #main} exits with it). */
    public static int execute(AppContext ctx, String... args) {
        CommandLine cli = new CommandLine(new Main(ctx), new ContextFactory(ctx));
        cli.setOut(new PrintWriter(ctx.out(), true));
        cli.setErr(new PrintWriter(ctx.err(), true));
        cli.setParameterExceptionHandler((ex, a) -> {
            ctx.err().println("error: " + ex.getMessage().replaceAll("[\\r\\n]+", " ")
                    + " (see: egoi-verify " + commandPath(ex.getCommandLine()) + " --help)");
            return EXIT_CONFIG;
        });
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            ctx.err().println("error: " + String.valueOf(ex).replaceAll("[\\r\\n]+", " "));
            LoggerFactory.getLogger(Main.class).debug("command failed", ex);
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }

    private static String commandPath(CommandLine cl) {
        String name = cl.getCommandSpec().qualifiedName(" ");
        return name.startsWith("egoi-verify") ? name.substring("egoi-verify".length()).trim() : name;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(ctx.out());
    }

    /** Gives every command that wants it the {@link AppContext}. */
    private static final class ContextFactory implements CommandLine.IFactory {
        private final AppContext ctx;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        ContextFactory(AppContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                Constructor<K> c = cls.getDeclaredConstructor(AppContext.class);
                c.setAccessible(true);
                return c.newInstance(ctx);
            } catch (NoSuchMethodException e) {
                return fallback.create(cls);
            }
        }
    }

    /** The version from the jar manifest, when there is one. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"egoi-verify " + (v == null ? "development build" : v)};
        }
    }
}
