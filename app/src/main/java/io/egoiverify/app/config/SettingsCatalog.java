package io.egoiverify.app.config;

import io.egoiverify.schemas.registry.RegistryTls;
import io.egoiverify.schemas.topics.TopicNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every setting the application knows. Fixed keys are listed here with their defaults; two families are open-ended:
 * {@code kafka.*} (passed verbatim to every Kafka client, so SASL/SSL and tuning need no code here) and
 * {@code profile.<name>.<attribute>} (E-goi sender profiles).
 */
public final class SettingsCatalog {
    public static final String KAFKA_PREFIX = "kafka.";
    public static final String PROFILE_PREFIX = "profile.";
    /** {@code topics.name.<logical>}: the full name of one topic, {@code <logical>} a key of TopicNames.all(). */
    public static final String TOPIC_NAME_PREFIX = "topics.name.";
    /** Attributes of a sender profile, longest first so that environment names match unambiguously. */
    public static final List<String> PROFILE_ATTRIBUTES = List.of("allowed-country-codes", "max-message-length",
            "resend-cooldown", "min-code-size", "api-key-file", "api-key", "sender-hash", "sender-id", "max-sends",
            "max-ttl", "group");

    private static final List<SettingDef> CORE = List.of(
            new SettingDef("role", "all", "What `run` starts: `state` (the lifecycle topology), `worker` (the E-goi "
                    + "command worker) or `all` (both in one process)."),
            new SettingDef("kafka.bootstrap.servers", null, "Kafka brokers, `host:port[,host:port...]`. Required for "
                    + "`run`, `publish`, `tail`, `dlq`, `topics`. Every other `kafka.*` key is passed to all Kafka "
                    + "clients as is (e.g. `kafka.security.protocol`, `kafka.sasl.mechanism`, "
                    + "`kafka.sasl.jaas.config`, `kafka.ssl.truststore.location`)."),
            new SettingDef("schema.registry.url", null, "Confluent-compatible Schema Registry, `http(s)://host:port"
                    + "[/path]` (Apicurio: `.../apis/ccompat/v7`), or `mock://<scope>` for an in-memory registry. "
                    + "Required for `run`, `publish`, `tail`, `schemas`."),
            new SettingDef("basic.auth.user.info", null, "Registry basic auth, `user:password` (secret; use "
                    + "`EGOI_VERIFY_BASIC_AUTH_USER_INFO_FILE` to read it from a file)."),
            new SettingDef(RegistryTls.TRUSTSTORE_LOCATION, null, "Registry over `https://` with a private CA: the "
                    + "CA certificate(s) to trust instead of the JVM's, e.g. cert-manager's `ca.crt`. Only the "
                    + "registry client uses the `schema.registry.ssl.*` settings (not E-goi's, not Kafka's); read "
                    + "at start-up."),
            new SettingDef(RegistryTls.TRUSTSTORE_PASSWORD, null, "Password of a JKS or PKCS12 trust store; none "
                    + "for PEM (secret; `EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_PASSWORD_FILE` reads it from a "
                    + "file)."),
            new SettingDef(RegistryTls.TRUSTSTORE_TYPE, null, "`JKS`, `PKCS12` or `PEM` (one or more X.509 "
                    + "certificates, e.g. a CA bundle). Unset: `PEM` when the file is PEM text, else `JKS` as in "
                    + "Kafka (the JDK's JKS also reads PKCS12 files)."),
            new SettingDef(RegistryTls.TRUSTSTORE_CERTIFICATES, null, "The registry's CA certificate(s) as PEM "
                    + "text instead of a file (Kafka's `ssl.truststore.certificates`), e.g. cert-manager's `ca.crt` "
                    + "through `EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_FILE`. Not with "
                    + "`schema.registry.ssl.truststore.location` or `.password`; type `PEM` (implied)."),
            new SettingDef(RegistryTls.KEYSTORE_LOCATION, null, "Client certificate for a registry that requires "
                    + "mutual TLS: a JKS or PKCS12 key store, or a PEM file holding the private key and its "
                    + "certificate chain (as in Kafka; the key PKCS#8, or an unencrypted PKCS#1 RSA or SEC1 EC key)."),
            new SettingDef(RegistryTls.KEYSTORE_PASSWORD, null, "Password of a JKS or PKCS12 key store, required "
                    + "with one; none for PEM (secret; `..._FILE` as above)."),
            new SettingDef(RegistryTls.KEYSTORE_TYPE, null, "`JKS`, `PKCS12` or `PEM`; unset, inferred as for "
                    + "the trust store."),
            new SettingDef(RegistryTls.KEYSTORE_KEY, null, "Client private key as PEM text, for mutual TLS with the "
                    + "key and the certificate apart (Kafka's `ssl.keystore.key`), e.g. cert-manager's `tls.key` "
                    + "through `EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_KEY_FILE` (secret). PKCS#8, encrypted with "
                    + "`schema.registry.ssl.key.password` or not, or an unencrypted PKCS#1 RSA or SEC1 EC key as "
                    + "cert-manager writes by default; checked against the chain's first certificate at start-up. "
                    + "Needs `schema.registry.ssl.keystore.certificate.chain`; not with "
                    + "`schema.registry.ssl.keystore.location` or `.password`; type `PEM` (implied)."),
            new SettingDef(RegistryTls.KEYSTORE_CERTIFICATE_CHAIN, null, "The client certificate and its chain as "
                    + "PEM text, the key's own certificate first (Kafka's `ssl.keystore.certificate.chain`), e.g. "
                    + "cert-manager's `tls.crt` through "
                    + "`EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_CERTIFICATE_CHAIN_FILE`. Only with "
                    + "`schema.registry.ssl.keystore.key`."),
            new SettingDef(RegistryTls.KEY_PASSWORD, null, "Password of the private key when it differs from the "
                    + "key store's, or of an encrypted PEM key, in a file or in "
                    + "`schema.registry.ssl.keystore.key` (secret; `..._FILE` as above)."),
            new SettingDef(RegistryTls.ENDPOINT_IDENTIFICATION_ALGORITHM, "https", "`https`: the registry's "
                    + "certificate must name the URL's host. Empty turns that check off (as in Kafka): only for a "
                    + "certificate issued without the right name, never to reach an unknown host."),
            new SettingDef("auto.register.schemas", "true", "Whether producers register their schema. Set `false` in "
                    + "production once `schemas register` has been run."),
            new SettingDef("use.latest.version", "false",
                    "Serialize with the latest registered schema of the subject."),
            new SettingDef("topics.prefix", "", "Prefix prepended to every default topic name (not to a name set with "
                    + "`topics.name.<logical>`)."),
            new SettingDef(TOPIC_NAME_PREFIX + "<logical>", null, "Full name of one topic, used as is (the prefix "
                    + "does not apply to it), e.g. `topics.name.requested=signup.verification-requests`. "
                    + "`<logical>`: " + String.join(", ", TopicNames.DEFAULT_NAMES.keySet().stream()
                            .map(l -> "`" + l + "`").toList()) + "."),
            new SettingDef("topics.partitions", "6", "Partition count used when this application creates topics "
                    + "(dev mode, and `topics create` when none of the inputs exists yet). Must equal the count of the "
                    + "existing input and internal topics; fixed for life."),
            new SettingDef("topics.replication-factor", "1", "Replication factor of the topics this application "
                    + "creates in dev mode. Not used by `run`: the lifecycle's own topics (changelogs, the number "
                    + "guard's) take `kafka.replication.factor`, else the broker's default (the kit sets 3)."),
            new SettingDef("ops.enabled", "true", "Serve /health/live, /health/ready and /metrics."),
            new SettingDef("ops.host", "127.0.0.1",
                    "Interface of the operations HTTP server (`0.0.0.0` in containers)."),
            new SettingDef("ops.port", "8080", "Port of the operations HTTP server (0 = any free port)."),
            new SettingDef("log.format", "text", "`text` or `json` (one JSON object per line, logback's JsonEncoder)."),
            new SettingDef("log.level", "INFO", "Level of the application's own loggers: TRACE, DEBUG, INFO, WARN, "
                    + "ERROR."),
            new SettingDef("shutdown.timeout", "30s",
                    "Bound on a graceful stop (SIGTERM): each component gets its share."),
            new SettingDef("readiness.grace", "30s", "How long a component that was ready may dip (Kafka Streams "
                    + "rebalancing or retrying after a short registry outage, the worker rejoining its group) before "
                    + "/health/ready turns false."),
            new SettingDef("dev.kafka-port", "19092",
                    "Dev mode: loopback port of the embedded Kafka broker (0 = any free port)."),
            new SettingDef("dev.sandbox-port", "18089",
                    "Dev mode: loopback port of the E-goi sandbox (0 = any free port)."),
            new SettingDef("dev.api-key", "dev-sandbox-key",
                    "Dev mode: the `default` profile's API key unless one is set; "
                    + "the sandbox accepts it and every configured profile's key (secret)."),
            new SettingDef("sandbox.port", "18089", "`sandbox` command: its loopback port (0 = any free port)."),
            new SettingDef("sandbox.host", "127.0.0.1", "`sandbox` command: its interface."),
            new SettingDef("sandbox.api-key", "dev-sandbox-key", "`sandbox` command: the only API key its V2 calls "
                    + "accept (others answer 403; secret)."));

    private static final List<SettingDef> DEFS = concat(CORE, QuerySettings.DEFS, EgoiSettings.DEFS,
            LifecycleSettings.DEFS,
            AbuseSettings.DEFS, WorkerSettings.DEFS);
    private static final Map<String, SettingDef> BY_KEY = index();

    private SettingsCatalog() {
    }

    public static List<SettingDef> definitions() {
        return DEFS;
    }

    public static Optional<SettingDef> find(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /**
     * Whether a key may be set at all: a fixed key, a {@code kafka.*} key, a sender profile attribute or the name of
     * a known topic.
     */
    public static boolean isKnown(String key) {
        return BY_KEY.containsKey(key) || isKafkaKey(key) || profileAttribute(key).isPresent()
                || topicNameKeys().contains(key);
    }

    /** {@code topics.name.<logical>} for every logical topic name. */
    public static List<String> topicNameKeys() {
        return TopicNames.DEFAULT_NAMES.keySet().stream().map(l -> TOPIC_NAME_PREFIX + l).toList();
    }

    public static boolean isKafkaKey(String key) {
        return key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length();
    }

    /** For {@code profile.<name>.<attribute>} returns {@code [name, attribute]}. */
    public static Optional<String[]> profileAttribute(String key) {
        if (!key.startsWith(PROFILE_PREFIX)) {
            return Optional.empty();
        }
        String rest = key.substring(PROFILE_PREFIX.length());
        for (String attr : PROFILE_ATTRIBUTES) {
            String suffix = "." + attr;
            if (rest.endsWith(suffix) && rest.length() > suffix.length()) {
                return Optional.of(new String[] {rest.substring(0, rest.length() - suffix.length()), attr});
            }
        }
        return Optional.empty();
    }

    /**
     * Values never printed: API keys, passwords, JAAS configs, registry and proxy credentials, the query token, and
     * every Kafka client property Kafka itself types as a password.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.startsWith("kafka.") && KafkaPasswords.NAMES.contains(k.substring("kafka.".length()))) {
            return true;
        }
        if (k.endsWith("-file") || k.endsWith(".location") || k.endsWith(".type")) {
            return false;
        }
        return k.contains("passphrase") || k.endsWith(".api-key") || k.contains("password") || k.contains("jaas")
                || k.contains("user.info") || k.endsWith("user-info") || k.contains("secret") || k.endsWith("token")
                || k.endsWith(".key") || k.endsWith("hmac-key") || k.equals("dev.api-key");
    }

    /** The properties of Kafka's producer, consumer, admin and Streams configs whose type is PASSWORD. */
    private static final class KafkaPasswords {
        static final Set<String> NAMES = Stream.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
                        AdminClientConfig.configDef(), StreamsConfig.configDef())
                .flatMap(d -> d.configKeys().values().stream()).filter(c -> c.type == ConfigDef.Type.PASSWORD)
                .map(c -> c.name).collect(Collectors.toUnmodifiableSet());
    }

    static Set<String> fixedKeys() {
        return BY_KEY.keySet();
    }

    @SafeVarargs
    private static List<SettingDef> concat(List<SettingDef>... lists) {
        List<SettingDef> all = new ArrayList<>();
        for (List<SettingDef> l : lists) {
            all.addAll(l);
        }
        return List.copyOf(all);
    }

    private static Map<String, SettingDef> index() {
        Map<String, SettingDef> m = new LinkedHashMap<>();
        for (SettingDef d : DEFS) {
            m.put(d.key(), d);
        }
        return Map.copyOf(m);
    }
}
