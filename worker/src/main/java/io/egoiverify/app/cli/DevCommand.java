package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import picocli.CommandLine.Command;

@Command(name = "dev", description = "TODO")
public final class DevCommand extends AppCommand {
    public DevCommand(AppContext ctx) {
        super(ctx);
    }

    @Override
    protected Mode mode() {
        return Mode.RUN;
    }

    @Override
    protected int run(AppConfig config) {
        return 1;
    }
}
