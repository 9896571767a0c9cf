package io.egoiverify.app.config;

import io.egoiverify.events.CodeType;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.ResendPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;

/** The {@code lifecycle.*} settings, mapped onto streams-state's {@link LifecycleConfig}. */
public final class LifecycleSettings {
    private static final LifecycleConfig D = LifecycleConfig.defaults();

    static final List<SettingDef> DEFS = List.of(
            def("lifecycle.application-id", D.applicationId(), "Kafka Streams `application.id` (prefix of its internal "
                    + "topics and consumer group)."),
            def("lifecycle.default-ttl", D.defaultTtl(), "Code TTL when a request gives none (whole seconds)."),
            def("lifecycle.min-ttl", D.minTtl(), "Smallest TTL a request may ask for (at least 10s)."),
            def("lifecycle.max-ttl", D.maxTtl(), "Largest TTL a request may ask for (at most 24h; 1h with "
                    + "`egoi.api=v2`, E-goi's limit)."),
            def("lifecycle.default-code-size", D.defaultCodeSize(), "Code length when a request gives none."),
            def("lifecycle.min-code-size", D.minCodeSize(), "Smallest code size accepted (at least 4)."),
            def("lifecycle.max-code-size", D.maxCodeSize(), "Largest code size accepted (at most 10)."),
            def("lifecycle.default-code-type", D.defaultCodeType().name().toLowerCase(Locale.ROOT),
                    "numeric, alpha, alphanumeric or hex, when a request gives none."),
            def("lifecycle.default-max-attempts", D.defaultMaxAttempts(), "Wrong codes allowed when a request gives "
                    + "no maxAttempts."),
            def("lifecycle.max-attempts-limit", D.maxAttemptsLimit(), "Largest maxAttempts a request may ask for (at "
                    + "most 20)."),
            def("lifecycle.send-deadline", D.sendDeadline(), "If no SMS went out this long after the request, the "
                    + "verification fails PROVIDER_UNAVAILABLE (at most 10m)."),
            def("lifecycle.result-grace", D.resultGrace(), "How long past a command's deadline a provider result is "
                    + "still awaited (at most 5m)."),
            def("lifecycle.retention", D.retention(), "How long a finished verification is kept for de-duplication "
                    + "(1m to 30d)."),
            def("lifecycle.pending-cancel-memory", D.pendingCancelMemory(), "How long a cancel that arrived before "
                    + "its request is remembered (at most 1d)."),
            def("lifecycle.punctuation-interval", D.punctuationInterval(), "Grid that due deadlines are handled on: "
                    + "at the first step at or after each; a task with nothing due is not woken (10ms to 10s)."),
            def("lifecycle.max-due-per-punctuation", D.maxDuePerPunctuation(), "Cap on deadlines handled per "
                    + "punctuation."),
            def("lifecycle.max-message-length", D.maxMessageLength(), "Longest SMS template accepted (16 to 1600)."),
            def("lifecycle.max-metadata-bytes", D.maxMetadataBytes(), "Largest request metadata accepted, UTF-8 "
                    + "bytes (0 to 65536)."),
            def("lifecycle.max-remembered-submissions", D.maxRememberedSubmissions(), "Rejected submission ids "
                    + "remembered per verification for de-duplication."),
            def("lifecycle.default-message", D.defaultMessage(), "SMS template when a request gives none; must "
                    + "contain {CODE}."),
            def("lifecycle.standby-replicas", D.standbyReplicas(), "Kafka Streams `num.standby.replicas` (0 to 5): "
                    + "warm copies of the state for fast fail-over. With `kafka.group.protocol=streams` (KIP-1071) "
                    + "the lifecycle sets it as its group's `streams.num.standby.replicas` instead (at most 2 on "
                    + "Kafka's default brokers)."),
            new SettingDef("lifecycle.zone", "", "The zone (or rack) this instance runs in, e.g. `eu-west-1a` (at "
                    + "most 30 characters; empty = unknown): with standby replicas, each task's standby is placed in "
                    + "another zone than its active copy where one is available (Kafka Streams' rack-aware standby "
                    + "assignment: `client.tag.zone`, `rack.aware.assignment.tags=zone`). Give every instance one, "
                    + "or none."),
            def("lifecycle.resend-cooldown", D.resend().cooldown(), "Minimum time from the start of a send to a "
                    + "resend of the same verification (0s to 1h); earlier: `ResendRejected(COOLDOWN)` with "
                    + "`retryAfterSeconds`."),
            def("lifecycle.max-sends", D.resend().maxSends(), "Codes one verification may send, the first included "
                    + "(1 to 10; 1 = no resend): a further resend gets `ResendRejected(TOO_MANY_SENDS)`. Each resend "
                    + "also counts for `abuse.sends-per-number`."),
            def("lifecycle.guard-issues-commands", D.guardIssuesCommands(), "With per-number limits: the number "
                    + "guard writes the send (or resend) command itself when it grants the permit, in the "
                    + "transaction of its verdict (one exactly-once hop fewer before the SMS; the permit topic then "
                    + "carries the number sealed). `false`: the verdict goes back to the lifecycle, which issues it "
                    + "(the previous release's way). Turn it on only once every state instance runs this release; "
                    + "not measurably faster on a 2-core test machine (e2e/README.md)."),
            new SettingDef("lifecycle.rocksdb-memory-mb", "256", "Off-heap memory all RocksDB stores of an instance "
                    + "share, MiB (16 to 65536): one block cache with the memtables charged to it. Each store's "
                    + "memtable is 1/256 of it (1 MiB at 256), so that about 100 stores fit before RocksDB forces "
                    + "tiny flushes, which stall restores. 0 = RocksDB's "
                    + "defaults per store (memtables of every store, standbys included: grows with partitions and "
                    + "state, about 1 GiB per million live verifications measured). Budget it with the heap under the "
                    + "memory limit, plus the allocator's own: about 200 MiB more at 1M live with glibc's default "
                    + "arenas, 26 to 92 MiB with `MALLOC_ARENA_MAX=2`, which the image sets."),
            new SettingDef("profile.<name>.resend-cooldown", null, "Resend cooldown of profile `<name>` (0s to 1h); "
                    + "unset = `lifecycle.resend-cooldown`."),
            new SettingDef("profile.<name>.max-sends", null, "Codes per verification of profile `<name>` (1 to 10); "
                    + "unset = `lifecycle.max-sends`."));

    private LifecycleSettings() {
    }

    /** Builds the lifecycle configuration; cross-field rules are LifecycleConfig's own, reported in one line. */
    public static LifecycleConfig from(Settings s, Set<String> profileNames) {
        Duration min = Duration.ofSeconds(1);
        CodeType codeType = CodeType.valueOf(s.oneOf("lifecycle.default-code-type",
                Set.of("numeric", "alpha", "alphanumeric", "hex")).toUpperCase(Locale.ROOT));
        String appId = s.required("lifecycle.application-id", "a Kafka Streams application.id");
        String message = s.required("lifecycle.default-message", "an SMS template containing {CODE}");
        rocksDbMemoryMb(s);
        zone(s);
        try {
            return new LifecycleConfig(appId,
                    wholeSeconds(s, "lifecycle.default-ttl"), wholeSeconds(s, "lifecycle.min-ttl"),
                    wholeSeconds(s, "lifecycle.max-ttl"),
                    s.integer("lifecycle.default-code-size", 4, 10), s.integer("lifecycle.min-code-size", 4, 10),
                    s.integer("lifecycle.max-code-size", 4, 10), codeType,
                    s.integer("lifecycle.default-max-attempts", 1, 20),
                    s.integer("lifecycle.max-attempts-limit", 1, 20),
                    s.duration("lifecycle.send-deadline", min, Duration.ofMinutes(10)),
                    s.duration("lifecycle.result-grace", min, Duration.ofMinutes(5)),
                    s.duration("lifecycle.retention", Duration.ofMinutes(1), Duration.ofDays(30)),
                    s.duration("lifecycle.pending-cancel-memory", min, Duration.ofDays(1)),
                    s.duration("lifecycle.punctuation-interval", Duration.ofMillis(10), Duration.ofSeconds(10)),
                    s.integer("lifecycle.max-due-per-punctuation", 1, 1_000_000),
                    s.integer("lifecycle.max-message-length", 16, 1600),
                    s.integer("lifecycle.max-metadata-bytes", 0, 65_536),
                    s.integer("lifecycle.max-remembered-submissions", 1, 1000),
                    profileNames, message, s.integer("lifecycle.standby-replicas", 0, 5))
                    .withResend(new ResendPolicy(s.duration("lifecycle.resend-cooldown", Duration.ZERO,
                            ResendPolicy.MAX_COOLDOWN), s.integer("lifecycle.max-sends", 1,
                            ResendPolicy.MAX_SENDS_CEILING)))
                    .withGuardIssuesCommands(s.bool("lifecycle.guard-issues-commands"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid combination of lifecycle.* settings: " + e.getMessage());
        }
    }

    /**
     * {@code lifecycle.zone}: empty when unknown (the Kubernetes kit reads it from the pod's zone label, which not
     * every cluster sets), else at most Kafka Streams' 30 characters for a client tag value.
     */
    public static Optional<String> zone(Settings s) {
        Optional<Setting> setting = s.find("lifecycle.zone");
        String zone = setting.map(Setting::value).map(String::trim).orElse("");
        if (zone.isEmpty()) {
            return Optional.empty();
        }
        if (zone.length() > StreamsConfig.MAX_RACK_AWARE_ASSIGNMENT_TAG_VALUE_LENGTH) {
            throw ConfigException.invalid(setting.orElseThrow(), "expected at most "
                    + StreamsConfig.MAX_RACK_AWARE_ASSIGNMENT_TAG_VALUE_LENGTH + " characters (a Kafka Streams "
                    + "client tag value)");
        }
        return Optional.of(zone);
    }

    /** {@code lifecycle.rocksdb-memory-mb}: 0 (RocksDB's own defaults) or 16 to 65536. */
    public static int rocksDbMemoryMb(Settings s) {
        int mb = s.integer("lifecycle.rocksdb-memory-mb", 0, 65_536);
        if (mb != 0 && mb < 16) {
            throw ConfigException.invalid(s.find("lifecycle.rocksdb-memory-mb").orElseThrow(), "expected 0 (RocksDB's "
                    + "defaults) or 16 to 65536");
        }
        return mb;
    }

    private static Duration wholeSeconds(Settings s, String key) {
        Duration d = s.duration(key, LifecycleConfig.TTL_FLOOR, LifecycleConfig.TTL_CEILING);
        if (d.toMillis() % 1000 != 0) {
            throw ConfigException.invalid(s.find(key).orElseThrow(), "expected whole seconds (E-goi codeTTL)");
        }
        return d;
    }

    private static SettingDef def(String key, Object dflt, String description) {
        String value = dflt instanceof Duration d ? Settings.human(d) : String.valueOf(dflt);
        return new SettingDef(key, value, description);
    }
}
