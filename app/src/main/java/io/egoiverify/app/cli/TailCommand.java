package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.dev.OutcomeReader;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.topics.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print outcome events as they are published (read_committed), one line each.")
public final class TailCommand extends AppCommand {
    @Option(names = "--from-beginning", description = "Start at the beginning of each outcome topic.")
    boolean fromBeginning;

    public TailCommand(AppContext ctx) {
        super(ctx);
    }

    @Override
    protected Mode mode() {
        return Mode.CLIENT;
    }

    @Override
    protected int run(AppConfig config) throws Exception {
        SchemaRegistryClient registry = Registries.create(config.serde());
        Topics topics = new Topics(config.topics(), registry, config.serde());
        OutcomeReader reader;
        try {
            reader = new OutcomeReader(config.kafka(), topics, fromBeginning, o -> ctx.out().println(o.pretty()))
                    .start();
        } catch (IllegalStateException e) {
            registry.close();
            ctx.err().println("error: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        ctx.err().println("following " + String.join(", ", config.topics().outcomes()) + " (Ctrl-C to stop)");
        Running running = new Running(ctx, config.ops().shutdownTimeout());
        running.onStop("outcome reader", 0.8, reader).onStop("registry client", 0.2, registry);
        reader.failed().thenAccept(running::fail);
        running.await();
        if (running.failure() != null) {
            ctx.err().println("error: the outcome reader stopped: " + running.failure());
            return Main.EXIT_FAILURE;
        }
        return Main.EXIT_OK;
    }
}
