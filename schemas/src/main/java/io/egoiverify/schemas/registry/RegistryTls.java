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
 * {@code schema.registry.ssl.key.password}, or not) and its certificate chain, as in Kafka. An unencrypted PKCS#1 RSA
 * key ({@code BEGIN RSA PRIVATE KEY}) or SEC1 EC key ({@code BEGIN EC PRIVATE KEY}), what cert-manager writes by
 * default, is read too, which Kafka does not.
 *
 * <p>As in Kafka, PEM material may also be given as values rather than files ({@code ssl.keystore.key},
 * {@code ssl.keystore.certificate.chain}, {@code ssl.truststore.certificates}), e.g. from cert-manager's
 * {@code tls.key}, {@code tls.crt} and {@code ca.crt} through {@code _FILE} variables: the key and the chain go
 * together, and neither goes with its store's {@code .location}, nor with a type other than {@code PEM}.
 *
 * @param truststoreLocation {@code schema.registry.ssl.truststore.location}: the CAs to trust instead of the JVM's
 * @param truststorePassword {@code schema.registry.ssl.truststore.password} (not for PEM)
 * @param truststoreType     {@code schema.registry.ssl.truststore.type}, or null to infer it
 * @param truststoreCertificates {@code schema.registry.ssl.truststore.certificates}: the PEM CAs to trust, as a
 *                           value instead of a file
 * @param keystoreLocation   {@code schema.registry.ssl.keystore.location}: the client certificate (mutual TLS)
 * @param keystorePassword   {@code schema.registry.ssl.keystore.password} (required for JKS and PKCS12; not for PEM)
 * @param keystoreType       {@code schema.registry.ssl.keystore.type}, or null to infer it
 * @param keystoreKey        {@code schema.registry.ssl.keystore.key}: the PEM private key as a value (a secret)
 * @param keystoreCertificateChain {@code schema.registry.ssl.keystore.certificate.chain}: its PEM certificate chain,
 *                           the key's own certificate first
 * @param keyPassword        {@code schema.registry.ssl.key.password}: the private key's, when it differs from the key
 *                           store's (or the PEM key is encrypted)
 * @param verifyHostname     {@code schema.registry.ssl.endpoint.identification.algorithm}: {@code https} (default)
 *                           checks the registry's certificate names the URL's host; empty turns that off
 */
public record RegistryTls(String truststoreLocation, String truststorePassword, String truststoreType,
                          String truststoreCertificates, String keystoreLocation, String keystorePassword,
                          String keystoreType, String keystoreKey, String keystoreCertificateChain,
                          String keyPassword, boolean verifyHostname) {
    public static final String PREFIX = "schema.registry.ssl.";
    public static final String TRUSTSTORE_LOCATION = PREFIX + "truststore.location";
    public static final String TRUSTSTORE_PASSWORD = PREFIX + "truststore.password";
    public static final String TRUSTSTORE_TYPE = PREFIX + "truststore.type";
    public static final String TRUSTSTORE_CERTIFICATES = PREFIX + "truststore.certificates";
    public static final String KEYSTORE_LOCATION = PREFIX + "keystore.location";
    public static final String KEYSTORE_PASSWORD = PREFIX + "keystore.password";
    public static final String KEYSTORE_TYPE = PREFIX + "keystore.type";
    public static final String KEYSTORE_KEY = PREFIX + "keystore.key";
    public static final String KEYSTORE_CERTIFICATE_CHAIN = PREFIX + "keystore.certificate.chain";
    public static final String KEY_PASSWORD = PREFIX + "key.password";
    public static final String ENDPOINT_IDENTIFICATION_ALGORITHM = PREFIX + "endpoint.identification.algorithm";
    /** Every setting this record reads. */
    public static final Set<String> KEYS = Set.of(TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE,
            TRUSTSTORE_CERTIFICATES, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE, KEYSTORE_KEY,
            KEYSTORE_CERTIFICATE_CHAIN, KEY_PASSWORD, ENDPOINT_IDENTIFICATION_ALGORITHM);

    public static final String JKS = "JKS";
    public static final String PKCS12 = "PKCS12";
    public static final String PEM = "PEM";
    private static final Set<String> TYPES = Set.of(JKS, PKCS12, PEM);

    /** Nothing set: the JVM's default trust and no client certificate, host names verified. */
    public static final RegistryTls NONE = new RegistryTls(null, null, null, null, null, null, null, null, null,
            null, true);

    public RegistryTls {
        truststoreType = type(TRUSTSTORE_TYPE, truststoreType);
        keystoreType = type(KEYSTORE_TYPE, keystoreType);
        if (truststoreCertificates != null) {
            pemValues(TRUSTSTORE_CERTIFICATES, "are", TRUSTSTORE_LOCATION, truststoreLocation, TRUSTSTORE_TYPE,
                    truststoreType);
            if (truststorePassword != null) {
                throw new RegistryTlsException(TRUSTSTORE_PASSWORD, "is not used with PEM certificates ("
                        + TRUSTSTORE_CERTIFICATES + "): remove it");
            }
        } else {
            requireLocation(TRUSTSTORE_PASSWORD, truststorePassword, TRUSTSTORE_TYPE, truststoreType,
                    TRUSTSTORE_LOCATION, truststoreLocation);
        }
        if (keystoreKey != null || keystoreCertificateChain != null) {
            // Kafka's rules: both or neither, never with the store's file, PEM only, no store password.
            if (keystoreCertificateChain == null) {
                throw new RegistryTlsException(KEYSTORE_KEY, "is set without " + KEYSTORE_CERTIFICATE_CHAIN
                        + " (the key's certificate chain): give both");
            }
            if (keystoreKey == null) {
                throw new RegistryTlsException(KEYSTORE_CERTIFICATE_CHAIN, "is set without " + KEYSTORE_KEY
                        + " (its private key): give both");
            }
            pemValues(KEYSTORE_KEY, "is", KEYSTORE_LOCATION, keystoreLocation, KEYSTORE_TYPE, keystoreType);
            if (keystorePassword != null) {
                throw new RegistryTlsException(KEYSTORE_PASSWORD, "is not used with a PEM key (" + KEYSTORE_KEY
                        + "; an encrypted key's password goes in " + KEY_PASSWORD + "): remove it");
            }
        } else {
            requireLocation(KEYSTORE_PASSWORD, keystorePassword, KEYSTORE_TYPE, keystoreType, KEYSTORE_LOCATION,
                    keystoreLocation);
            if (keyPassword != null && keystoreLocation == null) {
                throw new RegistryTlsException(KEY_PASSWORD, "is set without " + KEYSTORE_LOCATION + " or "
                        + KEYSTORE_KEY);
            }
        }
    }

    public static RegistryTls from(Map<String, ?> props) {
        return new RegistryTls(text(props, TRUSTSTORE_LOCATION), text(props, TRUSTSTORE_PASSWORD),
                text(props, TRUSTSTORE_TYPE), text(props, TRUSTSTORE_CERTIFICATES), text(props, KEYSTORE_LOCATION),
                text(props, KEYSTORE_PASSWORD), text(props, KEYSTORE_TYPE), text(props, KEYSTORE_KEY),
                text(props, KEYSTORE_CERTIFICATE_CHAIN), text(props, KEY_PASSWORD),
                verifyHostname(props.get(ENDPOINT_IDENTIFICATION_ALGORITHM)));
    }

    /** True when nothing differs from the JVM's defaults: the HTTP client then keeps its own TLS set-up. */
    public boolean isDefault() {
        return !hasTrustStore() && !hasKeyStore() && verifyHostname;
    }

    /** A trust store is set, as a file or as PEM certificates. */
    public boolean hasTrustStore() {
        return truststoreLocation != null || truststoreCertificates != null;
    }

    /** A client certificate is set, as a file or as a PEM key and chain. */
    public boolean hasKeyStore() {
        return keystoreLocation != null || keystoreKey != null;
    }

    /**
     * Reads the stores now, so that a missing file or a wrong password stops the process at start-up. Empty when
     * neither store is set (the JVM's defaults apply).
     *
     * @throws RegistryTlsException naming the setting to fix (never a password or the private key)
     */
    public Optional<SSLContext> sslContext() {
        return TlsStores.sslContext(this);
    }

    /**
     * These settings under their names, passwords and the private key included: for handing them on to a client,
     * never for printing.
     */
    public Map<String, String> toProperties() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, TRUSTSTORE_LOCATION, truststoreLocation);
        put(m, TRUSTSTORE_PASSWORD, truststorePassword);
        put(m, TRUSTSTORE_TYPE, truststoreType);
        put(m, TRUSTSTORE_CERTIFICATES, truststoreCertificates);
        put(m, KEYSTORE_LOCATION, keystoreLocation);
        put(m, KEYSTORE_PASSWORD, keystorePassword);
        put(m, KEYSTORE_TYPE, keystoreType);
        put(m, KEYSTORE_KEY, keystoreKey);
        put(m, KEYSTORE_CERTIFICATE_CHAIN, keystoreCertificateChain);
        put(m, KEY_PASSWORD, keyPassword);
        m.put(ENDPOINT_IDENTIFICATION_ALGORITHM, verifyHostname ? "https" : "");
        return m;
    }

    @Override
    public String toString() {
        if (isDefault()) {
            return "JVM default";
        }
        String truststore = truststoreCertificates != null ? "PEM certificates (" + TRUSTSTORE_CERTIFICATES + ")"
                : store(truststoreLocation, truststoreType);
        String keystore = keystoreKey != null ? "PEM key and certificate chain (" + KEYSTORE_KEY + ", "
                + KEYSTORE_CERTIFICATE_CHAIN + ")" : store(keystoreLocation, keystoreType);
        return "truststore=" + truststore + ", keystore=" + keystore + ", hostnameVerification="
                + (verifyHostname ? "on" : "off");
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

    /**
     * PEM material given as a value: never with its store's file (one way or the other, as in Kafka), and PEM is the
     * only type it can have (unset, it is implied).
     */
    private static void pemValues(String valueKey, String verb, String locationKey, String location, String typeKey,
                                  String type) {
        if (location != null) {
            throw new RegistryTlsException(valueKey, verb + " set together with " + locationKey + ": give one or "
                    + "the other");
        }
        if (type != null && !PEM.equals(type)) {
            throw new RegistryTlsException(typeKey, "must be PEM (or unset) with " + valueKey + ", got " + type);
        }
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
