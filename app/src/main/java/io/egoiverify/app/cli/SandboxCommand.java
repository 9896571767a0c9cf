package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import io.egoiverify.worker.sandbox.SandboxOptions;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "Run the E-goi sandbox alone: E-goi's Verify on loopback in both dialects (V2 under /api/v2, "
                + "the guide's under /api/public), with an outbox and fault injection under /_sandbox/.")
public final class SandboxCommand extends AppCommand {
    @Option(names = "--port", paramLabel = "PORT", description = "Port (setting sandbox.port; 0 = any free port).")
    String port;

    @Option(names = "--host", paramLabel = "HOST", description = "Interface (setting sandbox.host).")
    String host;

    public SandboxCommand(AppContext ctx) {
        super(ctx);
    }

    @Override
    protected Mode mode() {
        return Mode.SANDBOX;
    }

    @Override
    protected Map<String, String> specificFlags() {
        Map<String, String> m = new LinkedHashMap<>();
        if (port != null) {
            m.put("sandbox.port", port);
        }
        if (host != null) {
            m.put("sandbox.host", host);
        }
        return m;
    }

    @Override
    protected int run(AppConfig config) throws Exception {
        int p = config.settings().integer("sandbox.port", 0, 65_535);
        String h = config.settings().required("sandbox.host", "an interface address");
        String key = config.settings().required("sandbox.api-key", "the API key the sandbox's V2 calls accept");
        EgoiSandbox sandbox = new EgoiSandbox(Clock.systemUTC(), SandboxOptions.defaults().withApiKey(key))
                .start(h, p);
        ctx.out().println("E-goi sandbox listening on " + sandbox.baseUrl(Dialect.V2) + " (egoi.api=v2) and "
                + sandbox.baseUrl(Dialect.GUIDE) + " (egoi.api=guide); outbox: http://" + h + ":" + sandbox.port()
                + "/_sandbox/outbox");
        Running running = new Running(ctx, config.ops().shutdownTimeout());
        running.onStop("sandbox", 1.0, sandbox);
        running.await();
        return Main.EXIT_OK;
    }
}
