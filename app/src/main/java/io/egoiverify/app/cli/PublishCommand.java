package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.dev.InputPublisher;
import io.egoiverify.events.CodeType;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.topics.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish an input event to the configured cluster, as a registration service would.",
        subcommands = {PublishCommand.Request.class, PublishCommand.Submit.class, PublishCommand.Cancel.class,
            PublishCommand.Resend.class})
public final class PublishCommand implements Runnable {
    private final AppContext ctx;

    public PublishCommand(AppContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(ctx.out());
    }

    /** Shared by the sub-commands: configuration, then one event. */
    abstract static class One extends AppCommand {
        @Option(names = {"-r", "--request-id"}, required = true, description = "The verification's requestId.")
        String requestId;

        One(AppContext ctx) {
            super(ctx);
        }

        @Override
        protected Mode mode() {
            return Mode.CLIENT;
        }

        @Override
        protected int run(AppConfig config) {
            try {
                readSecrets();
            } catch (IOException | IllegalArgumentException e) {
                ctx.err().println("error: " + e.getMessage());
                return Main.EXIT_CONFIG;
            }
            try (SchemaRegistryClient registry = Registries.create(config.serde());
                 InputPublisher publisher = new InputPublisher(config.kafka(),
                         new Topics(config.topics(), registry, config.serde()), Clock.systemUTC())) {
                String what = publish(publisher);
                ctx.out().println("published " + what);
                return Main.EXIT_OK;
            }
        }

        abstract String publish(InputPublisher publisher);

        /** Replaces a secret given as {@code -} by the first line of standard input. */
        void readSecrets() throws IOException {
        }

        /**
         * {@code -} reads the value from the first line of standard input: a phone number or a code given on the
         * command line is visible to every user of the machine (process list) and kept in the shell's history.
         */
        String orStandardInput(String value, String what) throws IOException {
            if (!STDIN.equals(value)) {
                return value;
            }
            String line = new BufferedReader(new InputStreamReader(ctx.in(), StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isBlank()) {
                throw new IllegalArgumentException("expected the " + what + " on standard input (given as -)");
            }
            return line.strip();
        }
    }

    private static final String STDIN = "-";

    @Command(name = "request", mixinStandardHelpOptions = true, description = "Publish a VerificationRequested.")
    static final class Request extends One {
        @Option(names = {"-p", "--phone"}, required = true, description = "E.164 (+351910000000) or 351-910000000; "
                + "- reads it from standard input (out of the process list and the shell history).")
        String phone;
        @Option(names = "--code-type", description = "numeric, alpha, alphanumeric or hex (unknown publishes the "
                + "schema's fallback, which the service answers VerificationFailed(INVALID_REQUEST)).",
                converter = CodeTypeConverter.class)
        CodeType codeType;
        @Option(names = "--code-size", description = "Code length.")
        Integer codeSize;
        @Option(names = "--ttl", paramLabel = "SECONDS", description = "Code TTL in seconds.")
        Integer ttl;
        @Option(names = "--max-attempts", description = "Wrong codes allowed.")
        Integer maxAttempts;
        @Option(names = "--profile", description = "Sender profile name.")
        String profile;
        @Option(names = "--message", description = "SMS text; must contain {CODE}.")
        String message;
        @Option(names = "--group", description = "E-goi group.")
        String group;
        @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Metadata entries (repeatable).")
        Map<String, String> metadata = new LinkedHashMap<>();

        Request(AppContext ctx) {
            super(ctx);
        }

        @Override
        void readSecrets() throws IOException {
            phone = orStandardInput(phone, "phone number");
        }

        @Override
        String publish(InputPublisher publisher) {
            publisher.request(requestId, phone, codeType, codeSize, ttl, maxAttempts, profile, message, group,
                    metadata);
            return "VerificationRequested " + requestId;
        }
    }

    /** A code type by name, any case; a misspelt one is refused (exit 2) rather than published as the fallback. */
    static final class CodeTypeConverter implements ITypeConverter<CodeType> {
        @Override
        public CodeType convert(String value) {
            try {
                return CodeType.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a code type (numeric, alpha, alphanumeric, "
                        + "hex, or unknown for an invalid request)");
            }
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Publish a CodeSubmitted.")
    static final class Submit extends One {
        @Option(names = {"-c", "--code"}, required = true, description = "The code the recipient typed; - reads it "
                + "from standard input (out of the process list and the shell history).")
        String code;
        @Option(names = "--submission-id", description = "Default: a random UUID.")
        String submissionId;

        Submit(AppContext ctx) {
            super(ctx);
        }

        @Override
        void readSecrets() throws IOException {
            code = orStandardInput(code, "code");
        }

        @Override
        String publish(InputPublisher publisher) {
            return "CodeSubmitted " + requestId + " submission " + publisher.submit(requestId, code, submissionId);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Publish a VerificationCancelRequested.")
    static final class Cancel extends One {
        @Option(names = "--reason", description = "Free text echoed on VerificationCancelled.")
        String reason;

        Cancel(AppContext ctx) {
            super(ctx);
        }

        @Override
        String publish(InputPublisher publisher) {
            publisher.cancel(requestId, reason);
            return "VerificationCancelRequested " + requestId;
        }
    }

    @Command(name = "resend", mixinStandardHelpOptions = true,
            description = "Publish a VerificationResendRequested: a new code for the same verification. The answer is "
                    + "a VerificationSent with the next sendCount, or a ResendRejected (see tail).")
    static final class Resend extends One {
        @Option(names = "--reason", description = "Free text, for logs and metrics only.")
        String reason;

        Resend(AppContext ctx) {
            super(ctx);
        }

        @Override
        String publish(InputPublisher publisher) {
            publisher.resend(requestId, reason);
            return "VerificationResendRequested " + requestId;
        }
    }
}
