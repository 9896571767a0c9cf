package io.egoiverify.app.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The status query's settings: {@code ops.advertised-*} and {@code query.*}. */
public final class QuerySettings {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{16,512}");
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "*");

    static final List<SettingDef> DEFS = List.of(
            new SettingDef("ops.advertised-host", "", "Host other lifecycle instances use to reach this one's "
                    + "operations port (Kafka Streams `application.server`): a status query for a key held "
                    + "elsewhere is fetched from there. A host name or IPv4 address. Empty: `ops.host`, or, when "
                    + "`ops.host` is a wildcard such as `0.0.0.0`, the address this machine's host name resolves to "
                    + "(a container's or pod's own IP). Set it where that is not what peers can call."),
            new SettingDef("ops.advertised-port", "0", "Port other lifecycle instances use to reach this one's "
                    + "operations port (0 = the port the operations server is bound to)."),
            new SettingDef("query.forward-timeout", "1s", "Bound on fetching a status from the instance that holds "
                    + "the key (one hop, never retried; 10ms to 30s); past it the answer is 503 with Retry-After."),
            new SettingDef("query.auth-token", null, "When set, `GET /verifications/{requestId}` requires "
                    + "`Authorization: Bearer <token>` (401 otherwise); the forwarding hop and the `status` command "
                    + "send it. 16 to 512 visible ASCII characters (secret; use `EGOI_VERIFY_QUERY_AUTH_TOKEN_FILE` "
                    + "to read it from a file)."),
            new SettingDef("query.second-auth-token", null, "A second token `GET /verifications/{requestId}` "
                    + "accepts besides `query.auth-token`, which it needs; never sent. Two tokens let the token be "
                    + "rotated without refusals (docs/RUNBOOK.md). Same format (secret; use "
                    + "`EGOI_VERIFY_QUERY_SECOND_AUTH_TOKEN_FILE` to read it from a file)."),
            new SettingDef("query.url", "http://127.0.0.1:8080", "`status` command: the operations URL of a "
                    + "lifecycle instance (role `state` or `all`) to ask."));

    private QuerySettings() {
    }

    /** True for an address that binds every interface ({@code 0.0.0.0}, {@code ::}): then the host is derived. */
    public static boolean isWildcard(String host) {
        return WILDCARDS.contains(host);
    }

    public static QueryConfig from(Settings s, String opsHost) {
        String host = s.string("ops.advertised-host");
        if (host == null || host.isBlank()) {
            host = WILDCARDS.contains(opsHost) ? localAddress() : opsHost;
        } else if (!HOST.matcher(host.trim()).matches() || WILDCARDS.contains(host.trim())) {
            throw ConfigException.invalid(s.find("ops.advertised-host").orElseThrow(), "expected a host name or "
                    + "IPv4 address other instances can call (not a wildcard such as 0.0.0.0)");
        }
        int port = s.integer("ops.advertised-port", 0, 65_535);
        Duration timeout = s.duration("query.forward-timeout", Duration.ofMillis(10), Duration.ofSeconds(30));
        String token = token(s, "query.auth-token");
        String second = token(s, "query.second-auth-token");
        if (second != null && token == null) {
            throw ConfigException.invalid(s.find("query.second-auth-token").orElseThrow(), "needs query.auth-token "
                    + "(the token the instances send); to rotate, set both");
        }
        return new QueryConfig(host.trim(), port, timeout, token, second, s.httpUrl("query.url"));
    }

    private static String token(Settings s, String key) {
        String token = s.string(key);
        if (token == null || token.isEmpty()) {
            return null;
        }
        if (!TOKEN.matcher(token).matches()) {
            throw ConfigException.invalid(s.find(key).orElseThrow(), "expected 16 to 512 visible ASCII characters "
                    + "(no spaces)");
        }
        return token;
    }

    /**
     * The address this machine's host name resolves to: in a container or a Kubernetes pod, the address its peers
     * reach it on (the runtime writes it into /etc/hosts).
     */
    private static String localAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("ops.host is a wildcard and this machine's host name cannot be resolved ("
                    + e.getMessage() + "): set ops.advertised-host to the address other instances can call");
        }
    }
}
