package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.EgoiSettings;
import io.egoiverify.app.config.Mode;
import io.egoiverify.worker.egoi.EgoiClient;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SenderProfile;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "For every sender profile, check its API key without sending an SMS (V2: GET /v2/sms/senders) "
                + "and whether its sender-id is one of the account's senders and active; a profile with no "
                + "sender-id yet gets the list to pick from. Exit 0 when every profile is usable, 1 when one is not, "
                + "2 on bad configuration. The guide dialect knows no such call. Never prints a key.")
public final class EgoiCheckCommand extends AppCommand {

    public EgoiCheckCommand(AppContext ctx) {
        super(ctx);
    }

    @Override
    protected Mode mode() {
        return Mode.EGOI;
    }

    @Override
    protected int run(AppConfig config) throws Exception {
        PrintStream out = ctx.out();
        List<SenderProfile> profiles = EgoiSettings.profileNames(config.settings()).stream()
                .map(n -> config.profiles().find(n).orElseThrow()).toList();
        EgoiConfig.Proxy proxy = config.egoi().transport().proxy();
        out.println("egoi.api=" + config.egoi().dialect().code() + "  base URL " + config.egoi().baseUrl()
                + (proxy == null ? "" : "  through the proxy " + proxy));
        if (!config.egoi().dialect().hasSendersCall()) {
            out.println("The guide dialect has no known call that checks a key without sending an SMS: nothing was "
                    + "checked (profiles: " + String.join(", ", profiles.stream().map(SenderProfile::name).toList())
                    + "). Switch to egoi.api=v2 to check keys and senders.");
            return Main.EXIT_OK;
        }
        Set<String> usable = EgoiSettings.usableSenderStatuses(config.settings());
        int ok = 0;
        try (EgoiClient client = new EgoiClient(config.egoi())) {
            for (SenderProfile p : profiles) {
                EgoiResult r = client.senders(p).get(config.egoi().transport().connectTimeout()
                        .plus(config.egoi().transport().responseTimeout()).toMillis() + 5_000, TimeUnit.MILLISECONDS);
                if (report(out, p, r, usable)) {
                    ok++;
                }
            }
        }
        out.println(ok + " of " + profiles.size() + " profile(s) usable");
        return ok == profiles.size() ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }

    /** Prints one profile's verdict; true when it can send. */
    private static boolean report(PrintStream out, SenderProfile p, EgoiResult r, Set<String> usable) {
        out.println("profile " + p.name() + " (" + (p.senderId() == null ? "no sender-id set"
                : "sender-id " + p.senderId()) + "):");
        if (!(r instanceof EgoiResult.Senders senders)) {
            String why = r instanceof EgoiResult.Rejected rej && (rej.httpStatus() == 401 || rej.httpStatus() == 403)
                    ? "E-goi refused the API key (" + r.describe() + ")"
                    : r.delivery() == EgoiResult.Delivery.ANSWERED ? "E-goi answered " + r.describe()
                    : "E-goi could not be reached (" + r.describe() + ")";
            out.println("  NOT usable: " + why);
            return false;
        }
        int idWidth = Math.max(2, senders.senders().stream().mapToInt(s -> text(s.id()).length()).max().orElse(0));
        int nameWidth = Math.max(4, senders.senders().stream().mapToInt(s -> text(s.name()).length()).max()
                .orElse(0));
        String row = "  %-" + idWidth + "s  %-" + nameWidth + "s  %s%s%n";
        out.printf(row, "id", "name", "status", "");
        for (EgoiResult.Sender s : senders.senders()) {
            out.printf(row, text(s.id()), text(s.name()), text(s.status()),
                    s.id() != null && s.id().equals(p.senderId()) ? "   <- this profile's sender-id" : "");
        }
        if (p.senderId() == null) {
            out.println("  NOT usable: the key works, but the profile names no sender: set profile." + p.name()
                    + ".sender-id to the id of a sender above whose status is one of " + String.join(", ", usable));
            return false;
        }
        EgoiResult.Sender mine = senders.senders().stream().filter(s -> p.senderId().equals(s.id())).findFirst()
                .orElse(null);
        if (mine == null) {
            out.println("  NOT usable: the key works, but sender-id " + p.senderId() + " is not among the account's "
                    + senders.senders().size() + " sender(s)");
            return false;
        }
        if (mine.status() == null || !usable.contains(mine.status().toLowerCase(Locale.ROOT))) {
            out.println("  NOT usable: sender " + p.senderId() + " has status '" + text(mine.status()) + "' (usable: "
                    + String.join(", ", usable) + "; setting egoi.v2.usable-sender-statuses)");
            return false;
        }
        out.println("  usable: the key works and sender " + p.senderId() + " is " + mine.status());
        return true;
    }

    private static String text(String s) {
        return s == null ? "-" : s;
    }
}
