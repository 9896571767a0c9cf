package io.egoiverify.schemas.serde;

import io.egoiverify.schemas.registry.RegistryTls;
import java.util.Map;
import java.util.Objects;

/**
 * Serde settings under Confluent's configuration names.
 *
 * @param schemaRegistryUrl   {@code schema.registry.url}; {@code mock://<scope>} selects an in-memory registry
 * @param basicAuthUserInfo   {@code basic.auth.user.info} ({@code user:password}), or null
 * @param autoRegisterSchemas {@code auto.register.schemas} (default true)
 * @param useLatestVersion    {@code use.latest.version} (default false)
 * @param registryTls         {@code schema.registry.ssl.*} (default: the JVM's trust store, no client certificate)
 */
public record AvroSerdeConfig(String schemaRegistryUrl, String basicAuthUserInfo, boolean autoRegisterSchemas,
                              boolean useLatestVersion, RegistryTls registryTls) {
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    /** Class name of the generated record a value deserializer reads into (when Kafka instantiates it by name). */
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
    /** Class name of the generated record a key deserializer reads into. */
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
    /**
     * Class name of a {@code Serde} to use for every Avro value instead of this project's (e.g. Confluent's
     * {@code io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde}); see {@link SerdeFactory}.
     */
    public static final String VALUE_SERDE_CLASS = "value.serde.class";

    public AvroSerdeConfig {
        Objects.requireNonNull(registryTls, "registryTls");
    }

    /** With the JVM's default TLS set-up for the registry. */
    public AvroSerdeConfig(String schemaRegistryUrl, String basicAuthUserInfo, boolean autoRegisterSchemas,
                           boolean useLatestVersion) {
        this(schemaRegistryUrl, basicAuthUserInfo, autoRegisterSchemas, useLatestVersion, RegistryTls.NONE);
    }

    public static AvroSerdeConfig from(Map<String, ?> props) {
        Object url = props.get(SCHEMA_REGISTRY_URL);
        Object auth = props.get(BASIC_AUTH_USER_INFO);
        return new AvroSerdeConfig(url == null ? null : url.toString(), auth == null ? null : auth.toString(),
                bool(props.get(AUTO_REGISTER_SCHEMAS), true), bool(props.get(USE_LATEST_VERSION), false),
                RegistryTls.from(props));
    }

    private static boolean bool(Object value, boolean dflt) {
        return value == null ? dflt : Boolean.parseBoolean(value.toString().trim());
    }

    @Override
    public String toString() {
        return "AvroSerdeConfig[url=" + schemaRegistryUrl + ", auth=" + (basicAuthUserInfo == null ? "none" : "***")
                + ", autoRegister=" + autoRegisterSchemas + ", useLatest=" + useLatestVersion + ", tls=" + registryTls
                + "]";
    }
}
