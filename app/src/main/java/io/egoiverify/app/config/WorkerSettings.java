package io.egoiverify.app.config;

import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.worker.command.WorkerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The {@code worker.*} settings, mapped onto the command worker's {@link WorkerConfig}. */
public final class WorkerSettings {
    private static final WorkerConfig.Flow F = WorkerConfig.Flow.defaults();
    private static final WorkerConfig.Retries R = WorkerConfig.Retries.defaults();
    private static final WorkerConfig.Breaker B = WorkerConfig.Breaker.defaults();

    static final List<SettingDef> DEFS = List.of(
            new SettingDef("worker.group-id", WorkerConfig.DEFAULT_GROUP_ID, "Consumer group of all worker instances."),
            new SettingDef("worker.transactional-id", null, "Kafka transactional.id of THIS instance: stable across "
                    + "restarts, unique per live instance (fences a zombie). Default `egoi-verify-worker-<hostname>` "
                    + "(a StatefulSet's pod name is stable)."),
            def("worker.max-in-flight", F.maxInFlight(), "Commands executing at once per instance; partitions pause "
                    + "when reached (1 to 100000)."),
            def("worker.max-offset-span", F.maxOffsetSpan(), "How far past the oldest unfinished command a partition "
                    + "may run (bounds the offset metadata)."),
            def("worker.commit-interval", F.commitInterval(), "How often the results transaction commits."),
            def("worker.max-records-per-transaction", F.maxRecordsPerTransaction(), "Results per transaction before "
                    + "an early commit."),
            def("worker.poll-timeout", F.pollTimeout(), "Consumer poll timeout (latency of picking up completions)."),
            def("worker.session-timeout", F.sessionTimeout(), "Consumer session timeout: how fast a dead instance's "
                    + "partitions move. With `kafka.consumer.group.protocol=consumer` (KIP-848, the worker only: "
                    + "Kafka Streams does not take it) the broker's `group.consumer.session.timeout.ms` applies "
                    + "instead: 45 s by default, so a crashed worker's partitions (and a restarted static member, "
                    + "refused until then) wait that long."),
            def("worker.transaction-timeout", F.transactionTimeout(), "Producer transaction timeout: a dead "
                    + "instance's open transaction holds back the lifecycle's read of every results partition it wrote "
                    + "to until the coordinator aborts it; keep it at most the session timeout less 2 s, so that the "
                    + "abort comes before the partitions move."),
            def("worker.revoke-grace", F.revokeGrace(), "On rebalance, time in-flight calls get before partitions are "
                    + "handed back."),
            def("worker.shutdown-grace", F.shutdownGrace(), "On SIGTERM, time in-flight calls get to finish."),
            def("worker.max-send-attempts", R.maxSendAttempts(), "Calls per send or resend at most, retried only while "
                    + "E-goi certainly did not process it: the connection failed before the request was written, or "
                    + "it answered a status in `worker.send-retry-statuses` (1 to 50)."),
            new SettingDef("worker.send-retry-statuses", joined(R.sendRetryStatuses()), "HTTP statuses that mean "
                    + "\"not processed\" (comma-separated, 400-599): a send answered with one is repeated, a 429 after "
                    + "its Retry-After. Every other failure (500, 502, 504, a read timeout after the request was "
                    + "written, a malformed 2xx) stays \"outcome unknown\" and is not repeated (one SMS at most). "
                    + "ASSUMPTION: E-goi's spec documents neither 429 nor 503."),
            def("worker.max-check-attempts", R.maxCheckAttempts(), "Calls per check at most, V2 status calls "
                    + "included (1 to 50)."),
            def("worker.max-cancel-attempts", R.maxCancelAttempts(), "Calls per cancel at E-goi at most (V2; best "
                    + "effort, 1 to 50)."),
            def("worker.initial-backoff", R.initialBackoff(), "First retry delay (doubled each time, with jitter)."),
            def("worker.max-backoff", R.maxBackoff(), "Cap of the retry delay unless Retry-After asks for more."),
            def("worker.retry-unknown-send-outcome", R.retryUnknownSendOutcome(), "Opt-in: retry a send after a read "
                    + "timeout or 5xx, accepting a possible second SMS."),
            def("worker.breaker.failure-rate-threshold", (int) B.failureRateThreshold(), "Percent of failed E-goi "
                    + "calls that opens the circuit breaker."),
            def("worker.breaker.sliding-window-size", B.slidingWindowSize(),
                    "Calls the failure rate is computed over."),
            def("worker.breaker.minimum-calls", B.minimumCalls(), "Calls before the failure rate counts."),
            def("worker.breaker.open-duration", B.openDuration(), "How long the breaker stays open before probing. "
                    + "While it is open calls wait (no attempt spent); only a command's deadline fails it."),
            def("worker.breaker.half-open-calls", B.halfOpenCalls(), "Probe calls let through when the breaker "
                    + "half-opens (1 to 1000); every other call keeps waiting until it closes."));

    private WorkerSettings() {
    }

    /**
     * The worker configuration. {@code kafka} are the pass-through client properties; every key but
     * bootstrap.servers travels as an override to both of the worker's clients.
     */
    public static WorkerConfig from(Settings s, TopicNames topics, Map<String, Object> kafka,
                                    Map<String, String> extraOverrides) {
        Duration ms = Duration.ofMillis(1);
        Duration hour = Duration.ofHours(1);
        String bootstrap = s.required("kafka.bootstrap.servers", "expected host:port[,host:port...]");
        String txId = s.find("worker.transactional-id").map(Setting::value).filter(v -> !v.isBlank())
                .orElseGet(WorkerSettings::defaultTransactionalId);
        Map<String, String> overrides = new LinkedHashMap<>();
        kafka.forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                overrides.put(k, String.valueOf(v));
            }
        });
        overrides.putAll(extraOverrides);
        try {
            WorkerConfig.Flow flow = new WorkerConfig.Flow(s.integer("worker.max-in-flight", 1, 100_000),
                    s.integer("worker.max-offset-span", 100, 1_000_000),
                    s.duration("worker.commit-interval", ms, Duration.ofMinutes(1)),
                    s.integer("worker.max-records-per-transaction", 1, 1_000_000),
                    s.duration("worker.poll-timeout", ms, Duration.ofSeconds(10)),
                    s.duration("worker.session-timeout", Duration.ofSeconds(1), Duration.ofMinutes(30)),
                    s.duration("worker.transaction-timeout", Duration.ofSeconds(1), Duration.ofMinutes(15)),
                    s.duration("worker.revoke-grace", ms, hour), s.duration("worker.shutdown-grace", ms, hour));
            WorkerConfig.Retries retries = new WorkerConfig.Retries(s.integer("worker.max-send-attempts", 1, 50),
                    s.integer("worker.max-check-attempts", 1, 50), s.duration("worker.initial-backoff", ms, hour),
                    s.duration("worker.max-backoff", ms, hour), s.bool("worker.retry-unknown-send-outcome"),
                    statuses(s, "worker.send-retry-statuses"), s.integer("worker.max-cancel-attempts", 1, 50));
            WorkerConfig.Breaker breaker = new WorkerConfig.Breaker(
                    (float) s.integer("worker.breaker.failure-rate-threshold", 1, 100),
                    s.integer("worker.breaker.sliding-window-size", 1, 100_000),
                    s.integer("worker.breaker.minimum-calls", 1, 100_000),
                    s.duration("worker.breaker.open-duration", ms, hour),
                    s.integer("worker.breaker.half-open-calls", 1, 1000));
            return new WorkerConfig(bootstrap, s.required("worker.group-id", "a consumer group id"), txId, topics,
                    flow, retries, breaker, overrides);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid worker.* settings: " + e.getMessage());
        }
    }

    /** A comma-separated list of HTTP statuses (400-599); empty means none. */
    private static Set<Integer> statuses(Settings s, String key) {
        Setting setting = s.find(key).orElseThrow(() -> ConfigException.missing(key, "HTTP statuses, e.g. 429,503"));
        Set<Integer> out = new TreeSet<>();
        for (String part : setting.value().split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            try {
                int status = Integer.parseInt(p);
                if (status >= 400 && status <= 599) {
                    out.add(status);
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw ConfigException.invalid(setting, "expected comma-separated HTTP statuses from 400 to 599, e.g. "
                    + "429,503");
        }
        return out;
    }

    private static String joined(Set<Integer> statuses) {
        return String.join(",", new TreeSet<>(statuses).stream().map(String::valueOf).toList());
    }

    static String defaultTransactionalId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "local";
            }
        }
        return "egoi-verify-worker-" + host.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    private static SettingDef def(String key, Object dflt, String description) {
        String value = dflt instanceof Duration d ? Settings.human(d) : String.valueOf(dflt);
        return new SettingDef(key, value, description);
    }
}
