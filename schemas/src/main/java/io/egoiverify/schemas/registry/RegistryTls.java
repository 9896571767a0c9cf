package io.egoiverify.schemas.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * TLS settings of the registry client only (never of the E-goi client), under Confluent's names
 * ({@code schema.registry.ssl.*}). With none set the client trusts the JVM's default CA store, as before.
 *
 * <p>Store types: {@code JKS}, {@code PKCS12} or {@code PEM}. Unset, the type is {@code PEM} when the file is PEM text
 * (e.g. cert-manager's {@code ca.crt}), else {@code JKS} as in Kafka; the JDK's JKS type reads PKCS12 files too. A PEM
 * trust store is one or more X.509 certificates; a PEM key store holds a PKCS#8 private key (encrypted with
 * {@code schema.registry.ssl.key.password}, or not) and its certificate chain, as in Kafka.
 *
 * @param truststoreLocation {@code schema.registry.ssl.truststore.location}: the CAs to trust instead of the JVM's
 * @param truststorePassword {@code schema.registry.ssl.truststore.password} (not for PEM)
 * @param truststoreType     {@code schema.registry.ssl.truststore.type}, or null to infer it
 * @param keystoreLocation   {@code schema.registry.ssl.keystore.location}: the client certificate (mutual TLS)
 * @param keystorePassword   {@code schema.registry.ssl.keystore.password} (required for JKS and PKCS12; not for PEM)
 * @param keystoreType       {@code schema.registry.ssl.keystore.type}, or null to infer it
 * @param keyPassword        {@code schema.registry.ssl.key.password}: the private key's, when it differs from the key
 *                           store's (or the PEM key is encrypted)
 * @param verifyHostname     {@code schema.registry.ssl.endpoint.identification.algorithm}: {@code https} (default)
 *                           checks the registry's certificate names the URL's host; empty turns that off
 */
public record RegistryTls(String truststoreLocation, String truststorePassword, String truststoreType,
                          String keystoreLocation, String keystorePassword, String keystoreType, String keyPassword,
                          boolean verifyHostname) {
    public static final String PREFIX = "schema.registry.ssl.";
    public static final String TRUSTSTORE_LOCATION = PREFIX + "truststore.location";
    public static final String TRUSTSTORE_PASSWORD = PREFIX + "truststore.password";
    public static final String TRUSTSTORE_TYPE = PREFIX + "truststore.type";
    public static final String KEYSTORE_LOCATION = PREFIX + "keystore.location";
    public static final String KEYSTORE_PASSWORD = PREFIX + "keystore.password";
    public static final String KEYSTORE_TYPE = PREFIX + "keystore.type";
    public static final String KEY_PASSWORD = PREFIX + "key.password";
    public static final String ENDPOINT_IDENTIFICATION_ALGORITHM = PREFIX + "endpoint.identification.algorithm";
    /** Every setting this record reads. */
    public static final Set<String> KEYS = Set.of(TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE,
            KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE, KEY_PASSWORD, ENDPOINT_IDENTIFICATION_ALGORITHM);

    public static final String JKS = "JKS";
    public static final String PKCS12 = "PKCS12";
    public static final String PEM = "PEM";
    private static final Set<String> TYPES = Set.of(JKS, PKCS12, PEM);

    /** Nothing set: the JVM's default trust and no client certificate, host names verified. */
    public static final RegistryTls NONE = new RegistryTls(null, null, null, null, null, null, null, true);

    public RegistryTls {
        truststoreType = type(TRUSTSTORE_TYPE, truststoreType);
        keystoreType = type(KEYSTORE_TYPE, keystoreType);
        requireLocation(TRUSTSTORE_PASSWORD, truststorePassword, TRUSTSTORE_TYPE, truststoreType,
                TRUSTSTORE_LOCATION, truststoreLocation);
        requireLocation(KEYSTORE_PASSWORD, keystorePassword, KEYSTORE_TYPE, keystoreType, KEYSTORE_LOCATION,
                keystoreLocation);
        if (keyPassword != null && keystoreLocation == null) {
            throw new RegistryTlsException(KEY_PASSWORD, "is set without " + KEYSTORE_LOCATION);
        }
    }

    public static RegistryTls from(Map<String, ?> props) {
        return new RegistryTls(text(props, TRUSTSTORE_LOCATION), text(props, TRUSTSTORE_PASSWORD),
                text(props, TRUSTSTORE_TYPE), text(props, KEYSTORE_LOCATION), text(props, KEYSTORE_PASSWORD),
                text(props, KEYSTORE_TYPE), text(props, KEY_PASSWORD),
                verifyHostname(props.get(ENDPOINT_IDENTIFICATION_ALGORITHM)));
    }

    /** True when nothing differs from the JVM's defaults: the HTTP client then keeps its own TLS set-up. */
    public boolean isDefault() {
        return truststoreLocation == null && keystoreLocation == null && verifyHostname;
    }

    /**
     * Reads the stores now, so that a missing file or a wrong password stops the process at start-up. Empty when
     * neither store is set (the JVM's defaults apply).
     *
     * @throws RegistryTlsException naming the setting to fix (never a password)
     */
    public Optional<SSLContext> sslContext() {
        return TlsStores.sslContext(this);
    }

    /** These settings under their names, passwords included: for handing them on to a client, never for printing. */
    public Map<String, String> toProperties() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, TRUSTSTORE_LOCATION, truststoreLocation);
        put(m, TRUSTSTORE_PASSWORD, truststorePassword);
        put(m, TRUSTSTORE_TYPE, truststoreType);
        put(m, KEYSTORE_LOCATION, keystoreLocation);
        put(m, KEYSTORE_PASSWORD, keystorePassword);
        put(m, KEYSTORE_TYPE, keystoreType);
        put(m, KEY_PASSWORD, keyPassword);
        m.put(ENDPOINT_IDENTIFICATION_ALGORITHM, verifyHostname ? "https" : "");
        return m;
    }

    @Override
    public String toString() {
        if (isDefault()) {
            return "JVM default";
        }
        return "truststore=" + store(truststoreLocation, truststoreType) + ", keystore="
                + store(keystoreLocation, keystoreType) + ", hostnameVerification=" + (verifyHostname ? "on" : "off");
    }

    private static String store(String location, String type) {
        return location == null ? "none" : location + " (" + (type == null ? "type inferred" : type) + ")";
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static String type(String key, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String type = value.trim().toUpperCase(Locale.ROOT);
        if (!TYPES.contains(type)) {
            throw new RegistryTlsException(key, "must be JKS, PKCS12 or PEM, got '" + value.trim() + "'");
        }
        return type;
    }

    /** A password or type without its file is a mistake better named now than found as a failed handshake. */
    private static void requireLocation(String passwordKey, String password, String typeKey, String type,
                                        String locationKey, String location) {
        if (location != null) {
            return;
        }
        if (password != null) {
            throw new RegistryTlsException(passwordKey, "is set without " + locationKey);
        }
        if (type != null) {
            throw new RegistryTlsException(typeKey, "is set without " + locationKey);
        }
    }

    private static boolean verifyHostname(Object value) {
        if (value == null) {
            return true;
        }
        String algorithm = value.toString().trim();
        if (algorithm.isEmpty()) {
            return false;
        }
        if (algorithm.equalsIgnoreCase("https")) {
            return true;
        }
        throw new RegistryTlsException(ENDPOINT_IDENTIFICATION_ALGORITHM, "must be https (verify the registry's host "
                + "name, the default) or empty (do not), got '" + algorithm + "'");
    }

    private static String text(Map<String, ?> props, String key) {
        Object value = props.get(key);
        return value == null || value.toString().isBlank() ? null : value.toString().trim();
    }
}
