package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "Run the E-goi sandbox alone (E-goi's Verify API on loopback, with an outbox and fault "
                + "injection under /_sandbox/).")
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
        EgoiSandbox sandbox = new EgoiSandbox().start(h, p);
        ctx.out().println("E-goi sandbox listening on " + sandbox.baseUrl() + " (outbox: http://" + h + ":"
                + sandbox.port() + "/_sandbox/outbox)");
        Running running = new Running(ctx, config.ops().shutdownTimeout());
        running.onStop("sandbox", 1.0, sandbox);
        running.await();
        return Main.EXIT_OK;
    }
}
