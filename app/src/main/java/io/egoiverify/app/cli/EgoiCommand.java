package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "egoi", mixinStandardHelpOptions = true, subcommands = {EgoiCheckCommand.class},
        description = "Talk to E-goi with the configured sender profiles, without sending any SMS.")
public final class EgoiCommand implements Runnable {
    private final AppContext ctx;

    @Spec
    CommandSpec spec;

    public EgoiCommand(AppContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        new CommandLine(spec).usage(ctx.out());
    }
}
