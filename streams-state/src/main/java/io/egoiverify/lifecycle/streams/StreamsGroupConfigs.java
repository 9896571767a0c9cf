package io.egoiverify.lifecycle.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle's settings as configs of its group, on Kafka's streams rebalance protocol ({@code
 * group.protocol=streams}, KIP-1071, on by default in Kafka 4.2+ brokers). There the broker assigns the tasks and Kafka
 * Streams ignores the client's {@code num.standby.replicas}, session timeout and heartbeat: they are configs of the
 * group, and the broker's defaults are no standby replica, a 45 s session timeout and a 5 s heartbeat. A lifecycle
 * moved to that protocol would otherwise lose its warm standbys and wait 45 s or more for a crashed instance's
 * verifications, silently. So it sets its group's configs from the same settings before it starts. What the broker
 * refuses (its minimums, a missing AlterConfigs permission on the group) is logged with what applies instead (the
 * group's earlier value, else the broker's) and does not stop the start: only the fail-over is slower.
 */
final class StreamsGroupConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsGroupConfigs.class);
    static final String STANDBY_REPLICAS = "streams.num.standby.replicas";
    static final String SESSION_TIMEOUT = "streams.session.timeout.ms";
    static final String HEARTBEAT_INTERVAL = "streams.heartbeat.interval.ms";

    /** What became of one group config. */
    enum Result { ALREADY_SET, SET, REFUSED }

    private StreamsGroupConfigs() {
    }

    /** Whether the Streams configuration {@code p} runs on the streams rebalance protocol. */
    static boolean onStreamsProtocol(Properties p) {
        Object protocol = p.get(StreamsConfig.GROUP_PROTOCOL_CONFIG);
        return protocol != null && "streams".equalsIgnoreCase(protocol.toString().trim());
    }

    /**
     * The group configs that the Streams configuration {@code p} ({@link LifecycleService#streamsProperties}, which
     * puts every timing under {@code consumer.}) stands for: standby replicas, then the timings as the main consumer
     * would get them ({@code main.consumer.} beats {@code consumer.}). A setting not given at all is left out.
     */
    static Map<String, String> wanted(Properties p) {
        Map<String, String> wanted = new LinkedHashMap<>();
        put(wanted, STANDBY_REPLICAS, p.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        put(wanted, SESSION_TIMEOUT, mainConsumer(p, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        put(wanted, HEARTBEAT_INTERVAL, mainConsumer(p, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG));
        return wanted;
    }

    private static Object mainConsumer(Properties p, String key) {
        Object v = p.get(StreamsConfig.mainConsumerPrefix(key));
        return v != null ? v : p.get(StreamsConfig.consumerPrefix(key));
    }

    private static void put(Map<String, String> wanted, String name, Object value) {
        if (value != null && !value.toString().isBlank()) {
            wanted.put(name, value.toString().trim());
        }
    }

    /**
     * Sets the group configs of {@code groupId} that {@code streamsProps} stands for ({@link #wanted}), those not set
     * already: the standby replicas on their own, the session timeout and heartbeat together (the broker checks the
     * heartbeat against the session timeout, and one without the other could leave a 5 s heartbeat in a 6 s
     * session). Returns what became of each config.
     */
    static Map<String, Result> apply(Admin admin, String groupId, Properties streamsProps, Duration timeout) {
        Map<String, String> wanted = wanted(streamsProps);
        Object tags = streamsProps.get(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG);
        if (tags != null && !tags.toString().isBlank()) {
            // Kafka 4.3.1's only broker-side assignor (StickyTaskAssignor) reads no client tags.
            LOG.warn("zone-aware standby placement (lifecycle.zone, rack.aware.assignment.tags={}) is not applied on "
                    + "the streams rebalance protocol: the broker places standbys by load alone, so a standby may "
                    + "share its active copy's zone", tags);
        }
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, groupId);
        Map<String, String> current = current(admin, group, timeout);
        Map<String, Result> results = new LinkedHashMap<>();
        List<String> timings = List.of(SESSION_TIMEOUT, HEARTBEAT_INTERVAL);
        for (List<String> batch : List.of(List.of(STANDBY_REPLICAS), timings)) {
            List<AlterConfigOp> ops = new ArrayList<>();
            for (String name : batch) {
                if (!wanted.containsKey(name)) {
                    continue;
                }
                if (wanted.get(name).equals(current.get(name))) {
                    results.put(name, Result.ALREADY_SET);
                } else {
                    ops.add(new AlterConfigOp(new ConfigEntry(name, wanted.get(name)), AlterConfigOp.OpType.SET));
                }
            }
            if (!ops.isEmpty()) {
                Result result = alter(admin, group, ops, timeout);
                ops.forEach(op -> results.put(op.configEntry().name(), result));
            }
        }
        report(groupId, wanted, current, results);
        return results;
    }

    /** The group's own configs (not the broker's defaults); empty when they cannot be read. */
    private static Map<String, String> current(Admin admin, ConfigResource group, Duration timeout) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            Config config = admin.describeConfigs(List.of(group)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(group);
            for (ConfigEntry e : config == null ? List.<ConfigEntry>of() : config.entries()) {
                if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG && e.value() != null) {
                    values.put(e.name(), e.value());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the configs of group " + group.name(), e);
        } catch (ExecutionException | TimeoutException e) {
            // Not fatal: setting a config to the value it has does no harm.
            LOG.debug("group configs of {} not read: {}", group.name(), e.toString());
        }
        return values;
    }

    private static Result alter(Admin admin, ConfigResource group, List<AlterConfigOp> ops, Duration timeout) {
        try {
            admin.incrementalAlterConfigs(Map.of(group, ops)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Result.SET;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting the configs of group " + group.name(), e);
        } catch (ExecutionException e) {
            LOG.warn("the broker refused the lifecycle group's {}: {}", describe(ops), e.getCause().toString());
            return Result.REFUSED;
        } catch (TimeoutException e) {
            LOG.warn("the broker did not answer the lifecycle group's {} within {}", describe(ops), timeout);
            return Result.REFUSED;
        }
    }

    private static String describe(List<AlterConfigOp> ops) {
        return ops.stream().map(op -> op.configEntry().name() + "=" + op.configEntry().value())
                .collect(Collectors.joining(", "));
    }

    private static void report(String groupId, Map<String, String> wanted, Map<String, String> current,
                               Map<String, Result> results) {
        LOG.warn("the lifecycle runs on the streams rebalance protocol (group.protocol=streams), which has no warm-up "
                + "replicas in Kafka 4.3: an instance restarted after a crash takes active tasks back with its stores "
                + "wiped and restores them while their verifications wait (measured: some 30 s, against 8-10 s on "
                + "the classic protocol, the default; e2e/README.md, \"The streams rebalance protocol\")");
        LOG.info("lifecycle on the streams rebalance protocol: configs of group {}: {}", groupId,
                wanted.keySet().stream().map(n -> n + "=" + wanted.get(n) + " ("
                        + results.get(n).name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")")
                        .collect(Collectors.joining(", ")));
        if (results.get(STANDBY_REPLICAS) == Result.REFUSED) {
            LOG.warn("the lifecycle's standby replicas ({}) are not in force: the group keeps {}; allow at most "
                    + "group.streams.max.standby.replicas (2 by default) and AlterConfigs on group {}",
                    wanted.get(STANDBY_REPLICAS), inForce(current, STANDBY_REPLICAS,
                            "the broker's group.streams.num.standby.replicas (0 by default: a crashed instance's "
                            + "tasks restore from the changelog before they run again)"), groupId);
        }
        List<String> refusedTimings = Stream.of(SESSION_TIMEOUT, HEARTBEAT_INTERVAL)
                .filter(n -> results.get(n) == Result.REFUSED).map(n -> n + "=" + wanted.get(n)).toList();
        if (!refusedTimings.isEmpty()) {
            LOG.warn("the lifecycle's {}: not in force; a crashed instance's tasks move after the group's session "
                    + "timeout, {}; the broker must allow them (group.streams.min.session.timeout.ms, 45 s by "
                    + "default, and group.streams.min.heartbeat.interval.ms, 5 s), or run the lifecycle on the "
                    + "classic protocol (the default)", String.join(" and ", refusedTimings),
                    inForce(current, SESSION_TIMEOUT, "the broker's group.streams.session.timeout.ms (45 s by "
                            + "default)"));
        }
    }

    /** What applies to the group instead of a refused config: its own earlier value, else the broker's. */
    private static String inForce(Map<String, String> current, String name, String brokerDefault) {
        return current.containsKey(name) ? name + "=" + current.get(name) + " (set earlier)" : brokerDefault;
    }
}
