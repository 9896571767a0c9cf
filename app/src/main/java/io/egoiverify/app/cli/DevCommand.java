package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.config.Setting;
import io.egoiverify.app.config.Settings;
import io.egoiverify.app.dev.DemoTour;
import io.egoiverify.app.dev.DevPrompt;
import io.egoiverify.app.dev.DevStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Everything embedded on loopback: a Kafka broker (KRaft), an in-memory schema registry, the "
                + "E-goi sandbox, the lifecycle and the worker. Prints outcome events as they happen and offers a "
                + "prompt (request, submit, resend, cancel, outbox, help, quit). With --demo: a scripted tour that "
                + "exits 0 only if every outcome is the expected one.")
public final class DevCommand extends AppCommand {
    @Option(names = "--demo", description = "Run the scripted tour, print a summary table and exit.")
    boolean demo;

    @Option(names = "--kafka-port", paramLabel = "PORT", description = "Embedded broker port (setting "
            + "dev.kafka-port, default 19092; 0 = any free port).")
    String kafkaPort;

    @Option(names = "--ops-port", paramLabel = "PORT", description = "Health/metrics/status port (setting ops.port, "
            + "default 18080 in dev mode).")
    String opsPort;

    @Option(names = "--dialect", paramLabel = "v2|guide", description = "The E-goi dialect the worker speaks to the "
            + "sandbox (setting egoi.api; default v2).")
    String dialect;

    @Option(names = "--demo-timeout", paramLabel = "DURATION", description = "Bound on the whole demo, e.g. 90s, 2m "
            + "or PT90S; a bare number is seconds (default 90s).", defaultValue = "90s",
            converter = DemoTimeoutConverter.class)
    Duration demoTimeout;

    public DevCommand(AppContext ctx) {
        super(ctx);
    }

    @Override
    protected Mode mode() {
        return Mode.DEV;
    }

    @Override
    protected Map<String, String> specificFlags() {
        Map<String, String> m = new LinkedHashMap<>();
        if (kafkaPort != null) {
            m.put("dev.kafka-port", kafkaPort);
        }
        if (opsPort != null) {
            m.put("ops.port", opsPort);
        }
        if (dialect != null) {
            m.put("egoi.api", dialect);
        }
        return m;
    }

    @Override
    protected Settings adjust(Settings settings) {
        settings.integer("dev.kafka-port", 0, 65_535);
        return DevStack.devDefaults(settings);
    }

    @Override
    protected int run(AppConfig requested) throws Exception {
        AppConfig config = withFreePorts(requested);
        if (config == null) {
            return Main.EXIT_FAILURE;
        }
        String kafkaPort = config.settings().string("dev.kafka-port");
        ctx.out().println("starting the dev stack (Kafka on 127.0.0.1:" + ("0".equals(kafkaPort) ? "<any free port>"
                : kafkaPort) + ", in-memory registry, E-goi sandbox, lifecycle, worker) ...");
        DevStack stack = DevStack.start(config, Duration.ofSeconds(60));
        Running running = new Running(ctx, config.ops().shutdownTimeout());
        running.onStop("dev stack", 1.0, stack);
        try {
            printBanner(stack);
            if (demo) {
                stack.outcomes().addListener(o -> ctx.out().println("  [outcome] " + o.pretty()));
                boolean ok = new DemoTour(stack, ctx.out(), demoTimeout).run();
                return ok ? Main.EXIT_OK : Main.EXIT_FAILURE;
            }
            stack.outcomes().addListener(o -> ctx.out().println("\n[outcome] " + o.pretty()));
            boolean quit = new DevPrompt(stack, ctx.out()).run(ctx.in());
            if (!quit) {
                ctx.out().println("(no more input: running until Ctrl-C / SIGTERM)");
                running.await();
            }
            return Main.EXIT_OK;
        } finally {
            running.stopNow();
        }
    }

    /**
     * A default port that is taken (another dev session, a local stack) is replaced by a free one, with a notice; a
     * port the user chose and that is taken is an error in one line. Null after such an error.
     */
    private AppConfig withFreePorts(AppConfig config) {
        Settings s = config.settings();
        for (String key : new String[] {"dev.kafka-port", "dev.sandbox-port", "ops.port"}) {
            Setting setting = s.find(key).orElseThrow();
            int port = Integer.parseInt(setting.value().trim());
            if (port == 0 || (key.equals("ops.port") && !config.ops().enabled()) || isFree(port)) {
                continue;
            }
            boolean implied = setting.origin().equals("default") || setting.origin().equals("dev mode");
            if (!implied) {
                ctx.err().println("error: " + key + " " + port + " is in use on 127.0.0.1 (" + setting.origin()
                        + "): choose another port or 0 for any free port");
                return null;
            }
            ctx.out().println("note: port " + port + " (" + key + ") is in use; using a free port instead");
            s = s.with(key, "0", "dev mode (default port busy)");
        }
        return s == config.settings() ? config : AppConfig.from(s, Mode.DEV);
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code 90s}, {@code 2m}, {@code PT90S} as in the settings; a bare number is seconds (what it always was). */
    static final class DemoTimeoutConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String text = value.trim();
            Duration d = text.matches("[0-9]{1,9}") ? Duration.ofSeconds(Long.parseLong(text))
                    : Settings.parseDuration(text);
            if (d == null || d.isNegative() || d.isZero()) {
                throw new TypeConversionException("'" + value + "' is not a positive duration (e.g. 90s, 2m, PT90S)");
            }
            return d;
        }
    }

    private void printBanner(DevStack stack) {
        int ops = stack.runtime().opsPort();
        ctx.out().println("ready.  kafka.bootstrap.servers=" + stack.bootstrapServers()
                + "   E-goi sandbox " + stack.config().egoi().baseUrl() + " (" + stack.config().egoi().dialect().code()
                + ")"
                + (ops > 0 ? "   health/metrics http://" + stack.config().ops().host() + ":" + ops + "/metrics"
                        + "   status http://" + stack.config().ops().host() + ":" + ops + "/verifications/<id> (or: "
                        + "egoi-verify status <id> --url http://" + stack.config().ops().host() + ":" + ops + ")" : "")
                + System.lineSeparator() + "        The registry is in this process (mock://): clients of your own, "
                + "and the publish and tail commands, need e2e/local-stack (a real registry) instead.");
    }
}
