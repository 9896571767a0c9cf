package io.egoiverify.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the HTTP registry client, read from Confluent's configuration names.
 *
 * @param urls               {@code schema.registry.url}: one or more comma-separated base URLs, each possibly with a
 *                           path (Apicurio: {@code http://host:8080/apis/ccompat/v7}); tried in order on I/O errors
 * @param basicAuthUserInfo  {@code user:password} for HTTP basic auth, or null. From {@code basic.auth.user.info}
 *                           ({@code basic.auth.credentials.source=USER_INFO}, the default) or from the URL's user-info
 *                           part ({@code basic.auth.credentials.source=URL}).
 * @param connectTimeout     {@code http.connect.timeout.ms} (default 5 s)
 * @param responseTimeout    {@code http.read.timeout.ms} (default 10 s)
 * @param latestCacheTtl     {@code latest.cache.ttl.sec}: how long a subject's latest version is cached; null = forever
 * @param tls                {@code schema.registry.ssl.*}: trust and key stores for {@code https://} URLs
 */
public record RegistryClientConfig(List<URI> urls, String basicAuthUserInfo, Duration connectTimeout,
                                   Duration responseTimeout, Duration latestCacheTtl, RegistryTls tls) {
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(10);

    public RegistryClientConfig {
        urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
        if (urls.isEmpty()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL + " must name at least one URL");
        }
        for (URI url : urls) {
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                throw new ConfigException(SCHEMA_REGISTRY_URL + " must be http(s)://..., got " + redact(url));
            }
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || responseTimeout.isNegative()
                || responseTimeout.isZero()) {
            throw new ConfigException("registry timeouts must be positive");
        }
        if (basicAuthUserInfo != null && basicAuthUserInfo.indexOf(':') < 0) {
            throw new ConfigException(BASIC_AUTH_USER_INFO + " must be user:password");
        }
    }

    /** Connects to {@code url} with default timeouts and no authentication. */
    public static RegistryClientConfig of(String url) {
        return from(Map.of(SCHEMA_REGISTRY_URL, url));
    }

    public static RegistryClientConfig from(Map<String, ?> props) {
        Object rawUrl = props.get(SCHEMA_REGISTRY_URL);
        if (rawUrl == null || rawUrl.toString().isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL + " is required");
        }
        List<URI> urls = new ArrayList<>();
        for (String part : rawUrl.toString().split(",")) {
            if (!part.isBlank()) {
                urls.add(URI.create(stripTrailingSlash(part.trim())));
            }
        }
        String source = string(props.get(BASIC_AUTH_CREDENTIALS_SOURCE), "USER_INFO").trim().toUpperCase(Locale.ROOT);
        String userInfo;
        switch (source) {
            case "USER_INFO" -> userInfo = blankToNull(props.get(BASIC_AUTH_USER_INFO));
            case "URL" -> userInfo = urls.isEmpty() ? null : urls.get(0).getUserInfo();
            default -> throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE + "=" + source
                    + " is not supported; use USER_INFO or URL");
        }
        return new RegistryClientConfig(urls, userInfo,
                millis(props, HTTP_CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT),
                millis(props, HTTP_READ_TIMEOUT_MS, DEFAULT_RESPONSE_TIMEOUT),
                latestTtl(props.get(LATEST_CACHE_TTL_SEC)), RegistryTls.from(props));
    }

    private static Duration millis(Map<String, ?> props, String name, Duration dflt) {
        Object value = props.get(name);
        if (value == null || value.toString().isBlank()) {
            return dflt;
        }
        try {
            return Duration.ofMillis(Long.parseLong(value.toString().trim()));
        } catch (NumberFormatException e) {
            throw new ConfigException(name, value, "must be a number of milliseconds");
        }
    }

    private static Duration latestTtl(Object value) {
        if (value == null || value.toString().isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.toString().trim());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw new ConfigException(LATEST_CACHE_TTL_SEC, value, "must be a number of seconds");
        }
    }

    private static String string(Object value, String dflt) {
        return value == null ? dflt : value.toString();
    }

    private static String blankToNull(Object value) {
        return value == null || value.toString().isBlank() ? null : value.toString();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The URL without its user-info part: safe for logs and exception messages. */
    public static String redact(URI url) {
        if (url.getUserInfo() == null) {
            return url.toString();
        }
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public String toString() {
        return "RegistryClientConfig[urls=" + urls.stream().map(RegistryClientConfig::redact).toList()
                + ", auth=" + (basicAuthUserInfo == null ? "none" : "basic ***") + ", connectTimeout=" + connectTimeout
                + ", responseTimeout=" + responseTimeout + ", latestCacheTtl=" + latestCacheTtl + ", tls=" + tls + "]";
    }
}
