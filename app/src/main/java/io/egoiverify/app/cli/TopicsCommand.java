package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.topics.Finding;
import io.egoiverify.app.topics.TopicAudit;
import io.egoiverify.app.topics.TopicInspector;
import io.egoiverify.app.topics.TopicSpec;
import io.egoiverify.app.topics.TopicState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Check the deployment's topics against what the service relies on, or create the missing ones "
                + "with the settings the operations guide gives (the lifecycle creates its own internal topics).",
        subcommands = {TopicsCommand.Check.class, TopicsCommand.Create.class})
public final class TopicsCommand implements Runnable {
    private final AppContext ctx;

    public TopicsCommand(AppContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(ctx.out());
    }

    /** Shared by the sub-commands: the Kafka settings and the deployment's topic names, no registry. */
    abstract static class OnTopics extends AppCommand {
        OnTopics(AppContext ctx) {
            super(ctx);
        }

        @Override
        protected Mode mode() {
            return Mode.KAFKA;
        }

        static Admin admin(AppConfig config) {
            Map<String, Object> props = new HashMap<>();
            config.kafka().forEach((k, v) -> {
                if (AdminClientConfig.configNames().contains(k)) {
                    props.put(k, v);
                }
            });
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "egoi-verify-topics");
            return Admin.create(props);
        }

        /** Prints one line per topic that exists and then the findings; returns the exit code. */
        int report(List<TopicSpec> specs, Map<String, TopicState> observed) {
            for (TopicSpec spec : specs) {
                TopicState t = observed.get(spec.name());
                if (t != null) {
                    ctx.out().println(line(t));
                }
            }
            List<Finding> findings = TopicAudit.check(specs, observed);
            findings.forEach(f -> ctx.out().println(f));
            long errors = findings.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
            ctx.out().println(specs.size() + " topics: " + errors + " error(s), " + (findings.size() - errors)
                    + " warning(s)");
            return errors == 0 ? Main.EXIT_OK : Main.EXIT_FAILURE;
        }

        private static String line(TopicState t) {
            return "topic  " + t.name() + ": " + t.partitions() + " partitions, " + t.replicationFactor()
                    + " replica(s), " + t.configs().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Describe the deployment's topics (Describe and DescribeConfigs on them) and say what is "
                    + "wrong: missing topics, partition counts that differ, compaction, min.insync.replicas above the "
                    + "replicas (errors, exit 1); few replicas, unlimited or risky retentions, a dead-letter topic "
                    + "smaller than the inputs (warnings).")
    static final class Check extends OnTopics {
        Check(AppContext ctx) {
            super(ctx);
        }

        @Override
        protected int run(AppConfig config) {
            List<TopicSpec> specs = TopicSpec.of(config.topics());
            try (Admin admin = admin(config)) {
                return report(specs, new TopicInspector(admin).describe(names(specs)));
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the deployment's missing topics (Create on them): cleanup.policy=delete, retention "
                    + "inputs 2d, outcomes 7d, commands 1h, results 1d, dead letters 1d; min.insync.replicas 2 with "
                    + "3 replicas or more. Topics that exist are left as they are. Then runs check.")
    static final class Create extends OnTopics {
        @Option(names = "--partitions", paramLabel = "N", description = "Partition count of the new topics "
                + "(default: the count of the inputs, commands and results that exist, else topics.partitions). "
                + "Fixed for the life of the deployment.")
        Integer partitions;

        @Option(names = "--replication-factor", paramLabel = "R", description = "Replicas of the new topics "
                + "(default: the brokers' default.replication.factor).")
        Short replicationFactor;

        @Option(names = "--dry-run", description = "Print what would be created; create nothing.")
        boolean dryRun;

        Create(AppContext ctx) {
            super(ctx);
        }

        @Override
        protected int run(AppConfig config) {
            if (partitions != null && partitions < 1 || replicationFactor != null && replicationFactor < 1) {
                ctx.err().println("error: --partitions and --replication-factor must be 1 or more");
                return Main.EXIT_CONFIG;
            }
            List<TopicSpec> specs = TopicSpec.of(config.topics());
            try (Admin admin = admin(config)) {
                TopicInspector inspector = new TopicInspector(admin);
                Map<String, TopicState> observed = inspector.describe(names(specs));
                Set<Integer> counts = specs.stream().filter(s -> s.role().coPartitioned())
                        .map(s -> observed.get(s.name())).filter(t -> t != null).map(TopicState::partitions)
                        .collect(Collectors.toSet());
                if (counts.size() > 1) {
                    ctx.err().println("error: nothing created: the inputs, commands and results that exist have "
                            + "different partition counts " + counts + " (egoi-verify topics check lists them)");
                    return Main.EXIT_FAILURE;
                }
                Optional<Integer> existing = counts.stream().findFirst();
                if (existing.isPresent() && partitions != null && !existing.get().equals(partitions)) {
                    ctx.err().println("error: nothing created: --partitions " + partitions + ", but the inputs, "
                            + "commands and results that exist have " + existing.get() + " (they must share one)");
                    return Main.EXIT_CONFIG;
                }
                int count = existing.orElse(partitions != null ? partitions : config.partitions());
                List<NewTopic> missing = specs.stream().filter(s -> !observed.containsKey(s.name()))
                        .map(s -> s.newTopic(count, Optional.ofNullable(replicationFactor))).toList();
                for (NewTopic t : missing) {
                    ctx.out().println((dryRun ? "would create " : "creating ") + t.name() + ": " + count
                            + " partitions, " + (replicationFactor == null ? "the brokers' default replication"
                            : replicationFactor + " replica(s)") + ", " + t.configs().entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
                }
                if (dryRun) {
                    ctx.out().println("dry run: would create " + missing.size() + " of " + specs.size() + " topics");
                    return Main.EXIT_OK;
                }
                TopicInspector.Created done = inspector.create(missing);
                done.refused().forEach((name, why) -> ctx.err().println("error: " + name + " not created: " + why));
                ctx.out().println("created " + done.created().size() + " of " + specs.size() + " topics"
                        + (done.existed().isEmpty() ? "" : " (" + done.existed().size() + " created meanwhile by "
                        + "another client)") + (done.refused().isEmpty() ? "" : "; " + done.refused().size()
                        + " refused"));
                int checked = report(specs, inspector.describe(names(specs)));
                return done.refused().isEmpty() ? checked : Main.EXIT_FAILURE;
            }
        }
    }

    private static List<String> names(List<TopicSpec> specs) {
        return specs.stream().map(TopicSpec::name).toList();
    }
}
