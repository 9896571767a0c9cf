package io.egoiverify.app.config;

import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.ProfilePolicy;
import io.egoiverify.schemas.registry.RegistryTls;
import io.egoiverify.schemas.registry.RegistryTlsException;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.schemas.topics.TopicNames;
import io.egoiverify.worker.command.WorkerConfig;
import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.SenderProfiles;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The validated configuration of one process. {@link #from} checks every setting the mode uses and fails with a
 * one-line {@link ConfigException}; nothing starts before it returns.
 *
 * @param settings    the raw settings (for components that read their own keys)
 * @param mode        what the process runs
 * @param role        what {@code run} starts
 * @param kafka       Kafka client properties (the {@code kafka.} prefix removed), SASL/SSL included
 * @param serde       registry settings under Confluent's names; null when the mode needs no registry
 * @param topics      topic names
 * @param partitions  partition count for topics this application creates
 * @param replication replication factor for topics this application creates
 * @param egoi        E-goi client settings
 * @param profiles    sender profiles; null when the mode sends nothing
 * @param lifecycle   lifecycle settings
 * @param worker      command worker settings; null when the mode runs no worker
 * @param ops         health/metrics/logging/shutdown settings
 * @param query       status query settings
 */
public record AppConfig(Settings settings, Mode mode, Role role, Map<String, Object> kafka, AvroSerdeConfig serde,
                        TopicNames topics, int partitions, short replication, EgoiConfig egoi,
                        SenderProfiles profiles, LifecycleConfig lifecycle, WorkerConfig worker, OpsConfig ops,
                        QueryConfig query) {
    private static final Pattern BOOTSTRAP = Pattern.compile("[^\\s,:]+:\\d{1,5}(,[^\\s,:]+:\\d{1,5})*");
    private static final Pattern PREFIX = Pattern.compile("[a-zA-Z0-9._-]{0,100}");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public AppConfig {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(query, "query");
        kafka = Map.copyOf(kafka);
    }

    public static AppConfig from(Settings s, Mode mode) {
        Role role = Role.ofSettingValue(s.oneOf("role", Role.settingValues()));
        OpsConfig ops = new OpsConfig(s.bool("ops.enabled"), s.required("ops.host", "an interface address"),
                s.integer("ops.port", 0, 65_535), s.oneOf("log.format", Set.of("text", "json")),
                s.oneOf("log.level", Set.of("trace", "debug", "info", "warn", "error")),
                s.duration("shutdown.timeout", Duration.ofSeconds(1), Duration.ofMinutes(10)),
                s.duration("readiness.grace", Duration.ZERO, Duration.ofHours(1)));
        QueryConfig query = QuerySettings.from(s, ops.host());
        Map<String, Object> kafka = kafka(s, mode == Mode.RUN || mode == Mode.CLIENT || mode == Mode.KAFKA);
        AvroSerdeConfig serde = serde(s, mode != Mode.SANDBOX && mode != Mode.DEV && mode != Mode.QUERY
                && mode != Mode.EGOI && mode != Mode.KAFKA);
        String prefix = s.string("topics.prefix");
        if (prefix != null && !PREFIX.matcher(prefix).matches()) {
            throw ConfigException.invalid(s.find("topics.prefix").orElseThrow(),
                    "expected up to 100 of [a-zA-Z0-9._-]");
        }
        TopicNames topics = topicNames(s, prefix == null ? "" : prefix);
        int partitions = s.integer("topics.partitions", 1, 10_000);
        short replication = (short) s.integer("topics.replication-factor", 1, 32);
        EgoiConfig egoi = EgoiSettings.egoi(s);
        boolean sends = mode == Mode.DEV || (mode == Mode.RUN && role.runsWorker());
        // egoi check lists the account's senders with the key alone: a profile may not know its sender yet
        SenderProfiles profiles = sends || mode == Mode.EGOI ? EgoiSettings.profiles(s, true, sends) : null;
        Set<String> names = new TreeSet<>(EgoiSettings.profileNames(s));
        names.add(LifecycleConfig.DEFAULT_PROFILE);
        LifecycleConfig lifecycle = LifecycleSettings.from(s, names);
        WorkerConfig worker = sends ? WorkerSettings.from(s, topics, kafka, Map.of()) : null;
        // Last: a missing key is the error an operator meets after upgrading; every other mistake is named first.
        lifecycle = AbuseSettings.apply(s, lifecycle, mode == Mode.RUN && role.runsLifecycle());
        ttlsWithinTheApi(s, egoi.dialect(), lifecycle);
        s.integer("dev.kafka-port", 0, 65_535);
        s.integer("dev.sandbox-port", 0, 65_535);
        s.integer("sandbox.port", 0, 65_535);
        EgoiSettings.usableSenderStatuses(s);
        return new AppConfig(s, mode, role, kafka, serde, topics, partitions, replication, egoi, profiles, lifecycle,
                worker, ops, query);
    }

    /**
     * A TTL the lifecycle admits but E-goi's API refuses would fail every such request PROVIDER_REJECTED, after it was
     * accepted: refused here instead, naming the setting.
     */
    private static void ttlsWithinTheApi(Settings s, Dialect dialect, LifecycleConfig lifecycle) {
        Duration most = dialect.maxCodeValidity().orElse(null);
        if (most == null) {
            return;
        }
        String why = "egoi.api=" + dialect.code() + " accepts codes valid for at most " + most.toSeconds() + " s";
        if (lifecycle.maxTtl().compareTo(most) > 0) {
            throw ConfigException.invalid(s.find("lifecycle.max-ttl").orElseThrow(), why);
        }
        for (Map.Entry<String, ProfilePolicy> e : new TreeMap<>(lifecycle.profilePolicies()).entrySet()) {
            if (e.getValue().maxTtl() != null && e.getValue().maxTtl().compareTo(most) > 0) {
                throw ConfigException.invalid(s.find(SettingsCatalog.PROFILE_PREFIX + e.getKey() + ".max-ttl")
                        .orElseThrow(), why);
            }
        }
    }

    /** The default names with the prefix, each replaced by its {@code topics.name.<logical>} setting if it has one. */
    private static TopicNames topicNames(Settings s, String prefix) {
        TopicNames names = TopicNames.withPrefix(prefix);
        for (String logical : TopicNames.DEFAULT_NAMES.keySet()) {
            Setting name = s.find(SettingsCatalog.TOPIC_NAME_PREFIX + logical).orElse(null);
            if (name == null || name.value().isBlank()) {
                continue;
            }
            if (!TOPIC.matcher(name.value().trim()).matches()) {
                throw ConfigException.invalid(name, "expected a topic name of 1 to 249 of [a-zA-Z0-9._-]");
            }
            names = names.withName(logical, name.value().trim());
        }
        return names;
    }

    private static Map<String, Object> kafka(Settings s, boolean required) {
        Map<String, Object> props = new LinkedHashMap<>();
        s.all().forEach((key, setting) -> {
            if (SettingsCatalog.isKafkaKey(key)) {
                props.put(key.substring(SettingsCatalog.KAFKA_PREFIX.length()), setting.value());
            }
        });
        Setting bootstrap = s.find("kafka.bootstrap.servers").orElse(null);
        if (bootstrap == null || bootstrap.value().isBlank()) {
            if (required) {
                throw ConfigException.missing("kafka.bootstrap.servers", "expected host:port[,host:port...]");
            }
        } else if (!BOOTSTRAP.matcher(bootstrap.value().replace(" ", "")).matches()) {
            throw ConfigException.invalid(bootstrap, "expected host:port[,host:port...]");
        }
        return props;
    }

    private static AvroSerdeConfig serde(Settings s, boolean required) {
        Setting url = s.find("schema.registry.url").orElse(null);
        if (url == null || url.value().isBlank()) {
            if (required) {
                throw ConfigException.missing("schema.registry.url", "expected http(s)://host:port[/path] or "
                        + "mock://<scope>");
            }
            return null;
        }
        for (String one : url.value().split(",")) {
            if (!validRegistryUrl(one.trim())) {
                throw ConfigException.invalid(url, "expected http(s)://host:port[/path] (comma-separated for "
                        + "several) or mock://<scope>");
            }
        }
        Setting auth = s.find("basic.auth.user.info").orElse(null);
        if (auth != null && !auth.value().isEmpty() && !auth.value().contains(":")) {
            throw ConfigException.invalid(auth, "expected user:password");
        }
        return new AvroSerdeConfig(url.value().trim(), auth == null || auth.value().isEmpty() ? null : auth.value(),
                s.bool("auto.register.schemas"), s.bool("use.latest.version"), registryTls(s));
    }

    /** {@code schema.registry.ssl.*}, its stores read now: a wrong path or password stops the process here. */
    private static RegistryTls registryTls(Settings s) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String key : RegistryTls.KEYS) {
            s.find(key).ifPresent(setting -> props.put(key, setting.value()));
        }
        try {
            RegistryTls tls = RegistryTls.from(props);
            tls.sslContext();
            return tls;
        } catch (RegistryTlsException e) {
            Setting named = s.find(e.setting()).orElse(null);
            throw named != null ? ConfigException.invalid(named, e.reason())
                    : new ConfigException("invalid registry TLS settings: " + e.getMessage());
        }
    }

    private static boolean validRegistryUrl(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme();
            if ("mock".equals(scheme)) {
                return text.length() > "mock://".length();
            }
            return ("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Kafka client properties with {@code overrides} on top (e.g. a group id). */
    public Map<String, Object> kafkaWith(Map<String, Object> overrides) {
        Map<String, Object> m = new LinkedHashMap<>(kafka);
        m.putAll(overrides);
        return m;
    }
}
