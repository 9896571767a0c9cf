package io.egoiverify.app.cli;

import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.deadletter.DeadLetter;
import io.egoiverify.app.deadletter.DeadLetterLine;
import io.egoiverify.app.deadletter.DeadLetterReader;
import io.egoiverify.app.deadletter.DeadLetterTally;
import io.egoiverify.app.deadletter.DeploymentTopics;
import io.egoiverify.app.deadletter.PointInTime;
import io.egoiverify.app.deadletter.ReplaySelection;
import io.egoiverify.app.deadletter.ReplaySelection.Verdict;
import io.egoiverify.app.deadletter.Replayer;
import io.egoiverify.lifecycle.streams.LifecycleTopology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "List the dead-letter topic's records (never their keys or values) or replay them to their "
                + "origin topic byte for byte.",
        subcommands = {DlqCommand.ListLetters.class, DlqCommand.Replay.class})
public final class DlqCommand implements Runnable {
    private final AppContext ctx;

    public DlqCommand(AppContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(ctx.out());
    }

    /** Shared by the sub-commands: the deployment's topics and the Kafka settings, no registry (raw bytes). */
    abstract static class Reading extends AppCommand {
        @Option(names = "--since", paramLabel = "WHEN", description = "Only dead letters stamped at or after it: an "
                + "ISO-8601 instant (2026-05-01T10:00:00Z) or a duration before now (30m, 2h, 1d).")
        String since;

        Reading(AppContext ctx) {
            super(ctx);
        }

        @Override
        protected Mode mode() {
            return Mode.KAFKA;
        }

        static DeploymentTopics topics(AppConfig config) {
            return new DeploymentTopics(config.topics(), List.of(LifecycleTopology.permitTopic(config.lifecycle()),
                    LifecycleTopology.verdictTopic(config.lifecycle())));
        }

        /** Prints the usage error in one line and returns the exit code for it. */
        int usage(IllegalArgumentException e) {
            ctx.err().println("error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print one line per dead letter (read_committed, no consumer group, up to the end at start): "
                    + "dead-letter partition:offset, timestamp, origin topic partition:offset, exception, message "
                    + "(cut, digit runs masked), sizes, 'truncated' when cut to fit; then counts by origin and "
                    + "exception.")
    static final class ListLetters extends Reading {
        @Option(names = "--origin", paramLabel = "TOPIC", description = "Only dead letters from this topic (full name "
                + "or logical name, e.g. requested).")
        String origin;

        @Option(names = "--limit", paramLabel = "N", description = "Print at most N lines (the counts cover all).")
        Integer limit;

        ListLetters(AppContext ctx) {
            super(ctx);
        }

        @Override
        protected int run(AppConfig config) {
            DeploymentTopics topics = topics(config);
            Instant from;
            try {
                from = since == null ? null : PointInTime.parse(since, Instant.now());
                if (limit != null && limit < 0) {
                    throw new IllegalArgumentException("--limit must be 0 or more");
                }
            } catch (IllegalArgumentException e) {
                return usage(e);
            }
            String topic = origin == null ? null : topics.resolve(origin);
            DeadLetterTally tally = new DeadLetterTally();
            new DeadLetterReader(config.kafka(), topics.deadLetter()).read(from, null, d -> {
                if ((topic == null || topic.equals(d.originTopic()))
                        && (from == null || !d.timestamp().isBefore(from))) {
                    if (limit == null || tally.total() < limit) {
                        ctx.out().println(DeadLetterLine.of(d));
                    }
                    tally.add(d);
                }
            });
            ctx.out().println(topics.deadLetter() + ": " + tally.summary());
            return Main.EXIT_OK;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Produce the selected dead letters' keys, values and own headers byte for byte to their "
                    + "origin input topic, in one transaction (error headers and the service's dead-letter marks "
                    + "dropped). Truncated dead letters are skipped. Replaying a request, submission or cancel twice "
                    + "is harmless: the lifecycle ignores a duplicate requestId / submissionId.")
    static final class Replay extends Reading {
        @Option(names = "--origin", required = true, paramLabel = "TOPIC", description = "The input topic to replay "
                + "to, full or logical name: requested, code-submitted, cancel-requested, resend-requested.")
        String origin;

        @Option(names = "--until", paramLabel = "WHEN", description = "Only dead letters stamped before it (same forms "
                + "as --since).")
        String until;

        @Option(names = "--offsets", paramLabel = "P:O[,P:O...]", description = "Only these dead letters (partition "
                + "and offset in the dead-letter topic, as dlq list prints them); if any is not there, nothing is "
                + "replayed (exit 1).")
        String offsets;

        @Option(names = "--include-resends", description = "Allow resend-requested: a replayed resend is a new resend "
                + "and may send another code.")
        boolean includeResends;

        @Option(names = "--dry-run", description = "Print what would be replayed; produce nothing.")
        boolean dryRun;

        @Option(names = "--transactional-id", paramLabel = "ID", description = "Transactional id of the replay's "
                + "producer (default: egoi-verify-dlq-replay-<origin topic>); the principal needs WRITE on it.")
        String transactionalId;

        Replay(AppContext ctx) {
            super(ctx);
        }

        @Override
        protected int run(AppConfig config) {
            DeploymentTopics topics = topics(config);
            ReplaySelection selection;
            Instant from;
            Map<Integer, Set<Long>> positions;
            try {
                Instant now = Instant.now();
                from = since == null ? null : PointInTime.parse(since, now);
                positions = offsets == null ? null : ReplaySelection.parsePositions(offsets);
                selection = ReplaySelection.of(topics, origin, includeResends, from,
                        until == null ? null : PointInTime.parse(until, now), positions);
            } catch (IllegalArgumentException e) {
                return usage(e);
            }
            List<DeadLetter> chosen = new ArrayList<>();
            Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
            Map<Integer, Set<Long>> seen = new HashMap<>();
            List<String> lines = new ArrayList<>();
            new DeadLetterReader(config.kafka(), topics.deadLetter()).read(from, positions, d -> {
                seen.computeIfAbsent(d.partition(), p -> new HashSet<>()).add(d.offset());
                take(d, selection, chosen, counts, lines);
            });
            List<String> missing = positions == null ? List.of() : ReplaySelection.missing(positions, seen);
            if (!missing.isEmpty()) {
                // all or nothing: the operator named these letters, so a typo must not replay the others alone
                ctx.err().println("error: nothing replayed: not in " + topics.deadLetter()
                        + (from == null ? "" : " at or after " + from) + ": dlq " + String.join(", dlq ", missing)
                        + " (dlq list prints the positions there are)");
                return Main.EXIT_FAILURE;
            }
            lines.forEach(ctx.out()::println);
            if (!dryRun && !chosen.isEmpty()) {
                new Replayer(config.kafka(), transactionalId != null ? transactionalId
                        : "egoi-verify-dlq-replay-" + selection.origin()).replay(selection.origin(), chosen);
            }
            ctx.out().println((dryRun ? "dry run: would replay " : "replayed ") + chosen.size() + " to "
                    + selection.origin() + (dryRun || chosen.isEmpty() ? "" : " in one transaction")
                    + "; skipped " + count(counts, Verdict.TRUNCATED) + " truncated, "
                    + count(counts, Verdict.NOT_SELECTED) + " outside the selection, "
                    + count(counts, Verdict.OTHER_ORIGIN) + " from other topics, "
                    + count(counts, Verdict.FOREIGN) + " from topics not of this deployment");
            return Main.EXIT_OK;
        }

        /**
         * Judges one dead letter, keeps it if chosen, and adds what to say of it to {@code lines} (positions and sizes
         * only), printed once the read shows that every listed position is there.
         */
        private void take(DeadLetter d, ReplaySelection selection, List<DeadLetter> chosen,
                          Map<Verdict, Integer> counts, List<String> lines) {
            Verdict v = selection.judge(d);
            counts.merge(v, 1, Integer::sum);
            if (v == Verdict.REPLAY) {
                chosen.add(d);
                lines.add((dryRun ? "would replay dlq " : "replaying dlq ") + d.position() + " to "
                        + selection.origin() + " (from " + d.originPartition() + ":" + d.originOffset() + "), key "
                        + d.keySize() + " B, value " + d.valueSize() + " B, " + d.replayHeaders().size()
                        + " header(s)");
            } else if (v == Verdict.TRUNCATED) {
                lines.add("skipped dlq " + d.position() + ": truncated, not the whole record; copy "
                        + selection.origin() + " " + d.originPartition() + ":" + d.originOffset() + " from its topic "
                        + "while retained (check it against its egoi-verify.dead-letter.value-sha256 header)");
            }
        }

        private static int count(Map<Verdict, Integer> counts, Verdict v) {
            return counts.getOrDefault(v, 0);
        }
    }
}
