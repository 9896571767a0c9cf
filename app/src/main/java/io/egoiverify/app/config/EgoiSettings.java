package io.egoiverify.app.config;

import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.egoiverify.worker.egoi.StatusTable;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code egoi.*} and {@code profile.*} settings, mapped onto the worker's {@link EgoiConfig} and sender profiles.
 * {@code egoi.api} picks the dialect; each dialect has its own default base URL and needs its own sender attribute.
 */
public final class EgoiSettings {
    private static final EgoiConfig.Transport T = EgoiConfig.Transport.defaults();
    private static final Pattern PROFILE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String STATUS_PREFIX = "egoi.v2.status.";
    private static final String PROXY = "egoi.proxy";
    private static final String PROXY_USER_INFO = "egoi.proxy-user-info";

    static final List<SettingDef> DEFS = List.of(
            new SettingDef("egoi.api", Dialect.V2.code(), "Which E-goi API to speak: `v2` (E-goi's published "
                    + "Transactional API V2: header `ApiKey`, `POST /v2/verify/request`, validate, status, cancel, "
                    + "resend, senders) or `guide` (the payloads of E-goi's guide \"Implementing Verify (2FA)\": key "
                    + "in the body, send and validate only)."),
            new SettingDef("egoi.base-url", null, "E-goi API base URL (http or https). Unset: the dialect's default, "
                    + "`" + Dialect.V2.defaultBaseUrl() + "` for v2 (from E-goi's published spec) or `"
                    + Dialect.GUIDE.defaultBaseUrl() + "` for guide (ASSUMPTION: the guide names no host)."),
            new SettingDef("egoi.send-path", EgoiConfig.GuideAssumptions.DEFAULT_SEND_PATH, "Guide dialect only: "
                    + "path of the send call. ASSUMPTION: the guide does not name it; check with E-goi."),
            new SettingDef("egoi.validate-path", EgoiConfig.GuideAssumptions.DEFAULT_VALIDATE_PATH, "Guide dialect "
                    + "only: path of the validate call. ASSUMPTION, as above."),
            new SettingDef("egoi.wrong-code-status", EgoiConfig.GuideAssumptions.DEFAULT_WRONG_CODE_STATUS, "Guide "
                    + "dialect only: the `status` E-goi answers for a wrong code. ASSUMPTION: undocumented; this is "
                    + "the sandbox's value."),
            status(StatusTable.Meaning.VERIFIED, "V2: `status` values of `GET /v2/verify/{id}` that mean the code "
                    + "was verified (comma-separated, any case). ASSUMPTION: the spec documents only `pending`."),
            status(StatusTable.Meaning.PENDING, "V2: `status` values that mean E-goi still waits for the right code; "
                    + "read right after a validate they mean a wrong code. `pending` is the spec's example."),
            status(StatusTable.Meaning.EXPIRED, "V2: `status` values that mean the code expired. ASSUMPTION."),
            status(StatusTable.Meaning.CANCELLED, "V2: `status` values that mean the verification was cancelled. "
                    + "ASSUMPTION. A value in no list ends that check unjudged (CodeRejected FAILED, attempt not "
                    + "counted) and is logged once, without the code."),
            new SettingDef("egoi.v2.usable-sender-statuses", "active", "V2, `egoi check`: `senderStatus` values of "
                    + "`GET /v2/sms/senders` that mean a sender can send (comma-separated). ASSUMPTION: the spec "
                    + "lists no values."),
            new SettingDef("egoi.connect-timeout", Settings.human(T.connectTimeout()), "TCP/TLS connect timeout."),
            new SettingDef("egoi.response-timeout", Settings.human(T.responseTimeout()), "Time to wait for E-goi's "
                    + "answer once the request is sent."),
            new SettingDef("egoi.max-connections", String.valueOf(T.maxConnections()), "Connection pool size = E-goi "
                    + "calls in flight at once (1 to 20000)."),
            new SettingDef("egoi.io-threads", "2", "HTTP client I/O threads (1 to 64)."),
            new SettingDef(PROXY, null, "Forward HTTP proxy for E-goi's calls only, `http://host:port` (unset: "
                    + "direct). An https base URL goes through its CONNECT tunnel (TLS with E-goi end to end), an http "
                    + "one in absolute form. JVM proxy properties are not read; Kafka, the registry and the status "
                    + "query between instances never use it. No `https://` proxy: HttpClient 5.6's async client "
                    + "cannot run E-goi's TLS inside TLS to the proxy. A call the proxy refuses (407, 403, 502, ...) "
                    + "or whose tunnel fails reached nothing: metrics status `proxy_refused` / `tunnel_failed`, "
                    + "logged once each."),
            new SettingDef(PROXY_USER_INFO, null, "`user:password` for the proxy's Basic (or Digest) authentication "
                    + "(secret; use `EGOI_VERIFY_EGOI_PROXY_USER_INFO_FILE` to read it from a file). Needs "
                    + "`egoi.proxy`."),
            new SettingDef("profile.<name>.api-key", null, "E-goi API key of sender profile `<name>` (secret; prefer "
                    + "`EGOI_VERIFY_PROFILE_<NAME>_API_KEY` or `..._API_KEY_FILE`). A profile named `default` is "
                    + "required by `run` with role worker/all."),
            new SettingDef("profile.<name>.api-key-file", null, "File holding the API key (a mounted secret)."),
            new SettingDef("profile.<name>.sender-id", null, "V2: the `senderId` of profile `<name>` (the id of one "
                    + "of the account's SMS senders; `egoi check` lists them, and needs only the key for that). "
                    + "Required per profile by `run` and `dev` when `egoi.api` is v2."),
            new SettingDef("profile.<name>.sender-hash", null, "Guide: the `senderHash` of profile `<name>`. Required "
                    + "per profile when `egoi.api` is guide."),
            new SettingDef("profile.<name>.group", null, "Guide: E-goi `group` used when a request gives none "
                    + "(optional). V2 has no such field: ignored there, like a request's `group`."));

    private EgoiSettings() {
    }

    public static Dialect dialect(Settings s) {
        Setting api = s.find("egoi.api").orElseThrow(() -> ConfigException.missing("egoi.api", "v2 or guide"));
        return Dialect.of(api.value()).orElseThrow(() -> ConfigException.invalid(api, "expected v2 or guide"));
    }

    public static EgoiConfig egoi(Settings s) {
        Dialect dialect = dialect(s);
        URI base = s.find("egoi.base-url").filter(v -> !v.value().isBlank()).isPresent() ? s.httpUrl("egoi.base-url")
                : dialect.defaultBaseUrl();
        String wrong = s.required("egoi.wrong-code-status", "the status string E-goi answers for a wrong code");
        try {
            EgoiConfig.Transport transport = new EgoiConfig.Transport(
                    s.duration("egoi.connect-timeout", Duration.ofMillis(50), Duration.ofMinutes(1)),
                    s.duration("egoi.response-timeout", Duration.ofMillis(50), Duration.ofMinutes(5)),
                    s.integer("egoi.max-connections", 1, 20_000), s.integer("egoi.io-threads", 1, 64), proxy(s));
            return new EgoiConfig(dialect, base, transport, new EgoiConfig.GuideAssumptions(s.path("egoi.send-path"),
                    s.path("egoi.validate-path"), wrong), statuses(s));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid egoi.* settings: " + e.getMessage());
        }
    }

    /**
     * {@code egoi.proxy} with {@code egoi.proxy-user-info}; null when no proxy is set. The URL carries no credentials:
     * they are a secret of their own, never printed.
     */
    static EgoiConfig.Proxy proxy(Settings s) {
        Setting url = s.find(PROXY).filter(v -> !v.value().isBlank()).orElse(null);
        Setting userInfo = s.find(PROXY_USER_INFO).filter(v -> !v.value().isEmpty()).orElse(null);
        if (url == null) {
            if (userInfo != null) {
                throw ConfigException.invalid(userInfo, "credentials without " + PROXY + " are never used: set "
                        + PROXY + " too, or remove them");
            }
            return null;
        }
        URI uri;
        try {
            uri = new URI(url.value().trim());
        } catch (URISyntaxException e) {
            throw ConfigException.invalid(url, "expected http://host:port");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            throw ConfigException.invalid(url, "a TLS connection to the proxy is not supported (HttpClient's async "
                    + "client cannot run E-goi's TLS inside it): give the proxy's plain http://host:port; calls to "
                    + "an https E-goi stay encrypted end to end through its tunnel");
        }
        if (uri.getRawUserInfo() != null) {
            throw ConfigException.invalid(url, "no credentials in the URL: put user:password in " + PROXY_USER_INFO
                    + " (a secret)");
        }
        String path = uri.getRawPath();
        if (!scheme.equals("http") || uri.getHost() == null || uri.getPort() < 1 || uri.getRawQuery() != null
                || uri.getRawFragment() != null || (path != null && !path.isEmpty() && !path.equals("/"))) {
            throw ConfigException.invalid(url, "expected http://host:port (with the port)");
        }
        if (userInfo != null && userInfo.value().indexOf(':') < 1) {
            throw ConfigException.invalid(userInfo, "expected user:password");
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        return new EgoiConfig.Proxy(host, uri.getPort(), userInfo == null ? null : userInfo.value());
    }

    /** The V2 status table; a value listed under two meanings names both settings. */
    static StatusTable statuses(Settings s) {
        Map<StatusTable.Meaning, List<String>> values = new EnumMap<>(StatusTable.Meaning.class);
        for (StatusTable.Meaning m : StatusTable.Meaning.values()) {
            values.put(m, list(s, statusKey(m)));
        }
        try {
            return new StatusTable(values);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid " + STATUS_PREFIX + "* settings: " + e.getMessage());
        }
    }

    /** {@code senderStatus} values that let a sender send. */
    public static Set<String> usableSenderStatuses(Settings s) {
        Set<String> out = new TreeSet<>();
        list(s, "egoi.v2.usable-sender-statuses").forEach(v -> out.add(v.toLowerCase(Locale.ROOT)));
        return out;
    }

    /** The names of every profile mentioned by any {@code profile.<name>.*} setting. */
    public static Set<String> profileNames(Settings s) {
        Set<String> names = new TreeSet<>();
        s.all().keySet().forEach(k -> SettingsCatalog.profileAttribute(k).ifPresent(p -> names.add(p[0])));
        return names;
    }

    /**
     * The sender profiles, each with its API key (from {@code api-key} or {@code api-key-file}) and the sender
     * attribute of the configured dialect ({@code sender-id} for v2, {@code sender-hash} for guide); the other one is
     * taken too
     * when set, so one configuration serves both. {@code requireDefault}: the worker needs a {@code default} profile.
     */
    public static SenderProfiles profiles(Settings s, boolean requireDefault) {
        return profiles(s, requireDefault, true);
    }

    /**
     * As {@link #profiles(Settings, boolean)}; {@code requireSender} false lets a profile lack its dialect's sender
     * attribute: {@code egoi check} needs only the key to list the account's senders.
     */
    public static SenderProfiles profiles(Settings s, boolean requireDefault, boolean requireSender) {
        Dialect dialect = dialect(s);
        Set<String> names = profileNames(s);
        String sender = dialect.senderAttribute();
        if (requireDefault && !names.contains(SenderProfile.DEFAULT)) {
            throw ConfigException.missing("profile.default.api-key", "the worker needs a sender profile named "
                    + "default (EGOI_VERIFY_PROFILE_DEFAULT_API_KEY and " + SettingsLoader.envName("profile.default."
                    + sender) + ")");
        }
        List<SenderProfile> profiles = new ArrayList<>();
        for (String name : names) {
            String prefix = "profile." + name + ".";
            if (!PROFILE_NAME.matcher(name).matches()) {
                throw new ConfigException("invalid sender profile name '" + name + "' in " + prefix
                        + "*: use 1-64 of [A-Za-z0-9._-]");
            }
            String key = apiKey(s, name);
            if (requireSender) {
                s.required(prefix + sender, "egoi.api is " + dialect.code() + ", whose sends need the " + sender
                        + " of each profile" + (dialect == Dialect.V2 ? " (the id of an SMS sender of the E-goi "
                        + "account; `egoi-verify egoi check` lists them)" : ""));
            }
            profiles.add(new SenderProfile(name, key, s.string(prefix + "sender-hash"), s.string(prefix + "sender-id"),
                    s.string(prefix + "group")));
        }
        try {
            return new SenderProfiles(profiles);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid profile.* settings: " + e.getMessage());
        }
    }

    private static String apiKey(Settings s, String name) {
        String keyName = "profile." + name + ".api-key";
        String fileName = keyName + "-file";
        if (s.find(keyName).filter(v -> !v.value().isBlank()).isPresent()) {
            return s.string(keyName);
        }
        Setting file = s.find(fileName).orElseThrow(() -> ConfigException.missing(keyName,
                "sender profile " + name + " needs an E-goi API key (" + keyName + " or " + fileName + ")"));
        try {
            String key = Files.readString(Path.of(file.value()), StandardCharsets.UTF_8).strip();
            if (key.isEmpty()) {
                throw ConfigException.invalid(file, "the file is empty; it must hold the API key");
            }
            return key;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigException ce) {
                throw ce;
            }
            throw ConfigException.invalid(file, "expected a readable file holding the API key ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static SettingDef status(StatusTable.Meaning m, String description) {
        return new SettingDef(statusKey(m), String.join(",", StatusTable.DEFAULTS.get(m)), description);
    }

    private static String statusKey(StatusTable.Meaning m) {
        return STATUS_PREFIX + m.name().toLowerCase(Locale.ROOT);
    }

    private static List<String> list(Settings s, String key) {
        String v = s.string(key);
        return v == null ? List.of() : Arrays.stream(v.split(",")).map(String::strip).filter(x -> !x.isEmpty())
                .toList();
    }
}
