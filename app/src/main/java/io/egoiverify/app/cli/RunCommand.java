package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.AppRuntime;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Production: connect to the configured Kafka, schema registry and E-goi and run the lifecycle "
                + "(state), the command worker (worker) or both (all). Stops gracefully on SIGTERM.")
public final class RunCommand extends AppCommand {
    @Option(names = "--role", paramLabel = "state|worker|all", description = "What to run (setting role).")
    String role;

    public RunCommand(AppContext ctx) {
        super(ctx);
    }

    @Override
    protected Mode mode() {
        return Mode.RUN;
    }

    @Override
    protected Map<String, String> specificFlags() {
        return role == null ? Map.of() : Map.of("role", role);
    }

    @Override
    protected int run(AppConfig config) throws Exception {
        Running running = new Running(ctx, config.ops().shutdownTimeout());
        AppRuntime runtime = new AppRuntime(config, Registries.create(config.serde()));
        runtime.shutdownSequence(running.sequence());
        try {
            runtime.start();
        } catch (AppRuntime.StartAborted e) {
            running.await(); // SIGTERM during start-up: the stop sequence is already running
            return Main.EXIT_OK;
        } catch (IllegalStateException e) {
            // e.g. input and internal topics not co-partitioned: a deployment error, said in one line
            ctx.err().println("error: " + e.getMessage());
            running.stopNow();
            return Main.EXIT_FAILURE;
        }
        runtime.unexpectedStop().thenAccept(running::fail);
        running.await();
        if (running.failure() != null) {
            // Exit non-zero so that the container is restarted: a process without its component would look alive.
            ctx.err().println("error: " + running.failure() + "; stopped");
            return Main.EXIT_FAILURE;
        }
        return Main.EXIT_OK;
    }
}
