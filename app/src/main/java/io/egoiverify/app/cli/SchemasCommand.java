package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.CodeSubmitted;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationCancelRequested;
import io.egoiverify.events.VerificationCancelled;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationRequested;
import io.egoiverify.events.VerificationResendRequested;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.events.VerificationVerified;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.registry.RegisteredSchema;
import io.egoiverify.schemas.registry.SchemaNotFoundException;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.topics.TopicNames;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import picocli.CommandLine.Command;

@Command(name = "schemas", mixinStandardHelpOptions = true,
        description = "Manage the bundled Avro schemas in the configured registry (subjects <topic>-value).",
        subcommands = {SchemasCommand.Register.class, SchemasCommand.Check.class})
public final class SchemasCommand implements Runnable {
    private final AppContext ctx;

    public SchemasCommand(AppContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(ctx.out());
    }

    /** Subject → the schema this build writes and reads: every topic but the dead-letter one (raw bytes). */
    static Map<String, Schema> bundled(TopicNames t) {
        Map<String, Schema> m = new LinkedHashMap<>();
        m.put(t.requested() + "-value", VerificationRequested.getClassSchema());
        m.put(t.codeSubmitted() + "-value", CodeSubmitted.getClassSchema());
        m.put(t.cancelRequested() + "-value", VerificationCancelRequested.getClassSchema());
        m.put(t.resendRequested() + "-value", VerificationResendRequested.getClassSchema());
        m.put(t.sent() + "-value", VerificationSent.getClassSchema());
        m.put(t.resendRejected() + "-value", ResendRejected.getClassSchema());
        m.put(t.codeRejected() + "-value", CodeRejected.getClassSchema());
        m.put(t.verified() + "-value", VerificationVerified.getClassSchema());
        m.put(t.expired() + "-value", VerificationExpired.getClassSchema());
        m.put(t.cancelled() + "-value", VerificationCancelled.getClassSchema());
        m.put(t.failed() + "-value", VerificationFailed.getClassSchema());
        m.put(t.commands() + "-value", VerificationCommand.getClassSchema());
        m.put(t.results() + "-value", VerificationCommandResult.getClassSchema());
        return m;
    }

    abstract static class Base extends AppCommand {
        Base(AppContext ctx) {
            super(ctx);
        }

        @Override
        protected Mode mode() {
            return Mode.SCHEMAS;
        }

        @Override
        protected int run(AppConfig config) {
            try (SchemaRegistryClient registry = Registries.create(config.serde())) {
                return apply(registry, bundled(config.topics()));
            }
        }

        abstract int apply(SchemaRegistryClient registry, Map<String, Schema> subjects);
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Register every bundled schema under its subject (idempotent).")
    static final class Register extends Base {
        Register(AppContext ctx) {
            super(ctx);
        }

        @Override
        int apply(SchemaRegistryClient registry, Map<String, Schema> subjects) {
            subjects.forEach((subject, schema) -> ctx.out().printf("%-48s id %d%n", subject,
                    registry.register(subject, schema)));
            return Main.EXIT_OK;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check that each bundled schema is FULL compatible (both directions) with the latest version "
                    + "registered under its subject. Exit 1 if any is not, or is missing.")
    static final class Check extends Base {
        Check(AppContext ctx) {
            super(ctx);
        }

        @Override
        int apply(SchemaRegistryClient registry, Map<String, Schema> subjects) {
            int bad = 0;
            for (Map.Entry<String, Schema> e : subjects.entrySet()) {
                String verdict;
                try {
                    RegisteredSchema latest = registry.latest(e.getKey());
                    verdict = verdict(e.getValue(), latest.schema(), latest.version());
                } catch (SchemaNotFoundException ex) {
                    verdict = "MISSING (run: schemas register)";
                }
                if (!verdict.startsWith("OK")) {
                    bad++;
                }
                ctx.out().printf("%-48s %s%n", e.getKey(), verdict);
            }
            ctx.out().println(bad == 0 ? "all compatible" : bad + " subject(s) not compatible or missing");
            return bad == 0 ? Main.EXIT_OK : Main.EXIT_FAILURE;
        }

        private static String verdict(Schema ours, Schema theirs, int version) {
            boolean read = SchemaCompatibility.checkReaderWriterCompatibility(ours, theirs).getType()
                    == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
            boolean written = SchemaCompatibility.checkReaderWriterCompatibility(theirs, ours).getType()
                    == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
            boolean names = ours.getFullName().equals(theirs.getFullName());
            String v = "v" + version;
            if (ours.equals(theirs)) {
                return "OK (identical to " + v + ")";
            }
            if (read && written && names) {
                return "OK (full compatible with " + v + ")";
            }
            return "INCOMPATIBLE with " + v + (names ? "" : " (full name differs)") + (read ? "" : " (cannot read it)")
                    + (written ? "" : " (it cannot read ours)");
        }
    }
}
