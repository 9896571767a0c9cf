package io.egoiverify.app.config;

import io.egoiverify.worker.egoi.EgoiConfig;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The {@code egoi.*} and {@code profile.*} settings, mapped onto the worker's {@link EgoiConfig} and profiles. */
public final class EgoiSettings {
    private static final EgoiConfig D = EgoiConfig.defaults();
    private static final Pattern PROFILE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    static final List<SettingDef> DEFS = List.of(
            new SettingDef("egoi.base-url", EgoiConfig.DEFAULT_BASE_URL, "E-goi API base URL (http or https)."),
            new SettingDef("egoi.send-path", EgoiConfig.DEFAULT_SEND_PATH, "Path of the Verify send call. "
                    + "ASSUMPTION: E-goi's document does not name it; check with E-goi."),
            new SettingDef("egoi.validate-path", EgoiConfig.DEFAULT_VALIDATE_PATH, "Path of the Verify validate call. "
                    + "ASSUMPTION, as above."),
            new SettingDef("egoi.wrong-code-status", EgoiConfig.DEFAULT_WRONG_CODE_STATUS, "The `status` E-goi "
                    + "answers for a wrong code. ASSUMPTION: undocumented; this is the sandbox's value."),
            new SettingDef("egoi.connect-timeout", Settings.human(D.connectTimeout()), "TCP/TLS connect timeout."),
            new SettingDef("egoi.response-timeout", Settings.human(D.responseTimeout()), "Time to wait for E-goi's "
                    + "answer once the request is sent."),
            new SettingDef("egoi.max-connections", String.valueOf(D.maxConnections()), "Connection pool size = E-goi "
                    + "calls in flight at once (1 to 20000)."),
            new SettingDef("egoi.io-threads", "2", "HTTP client I/O threads (1 to 64)."),
            new SettingDef("profile.<name>.api-key", null, "E-goi API key of sender profile `<name>` (secret; prefer "
                    + "`EGOI_VERIFY_PROFILE_<NAME>_API_KEY` or `..._API_KEY_FILE`). A profile named `default` is "
                    + "required by `run` with role worker/all."),
            new SettingDef("profile.<name>.api-key-file", null, "File holding the API key (a mounted secret)."),
            new SettingDef("profile.<name>.sender-hash", null, "E-goi senderHash of profile `<name>` (required per "
                    + "profile)."),
            new SettingDef("profile.<name>.group", null, "E-goi `group` used when a request gives none (optional)."));

    private EgoiSettings() {
    }

    public static EgoiConfig egoi(Settings s) {
        URI base = s.httpUrl("egoi.base-url");
        String wrong = s.required("egoi.wrong-code-status", "the status string E-goi answers for a wrong code");
        try {
            return new EgoiConfig(base, s.path("egoi.send-path"), s.path("egoi.validate-path"),
                    s.duration("egoi.connect-timeout", Duration.ofMillis(50), Duration.ofMinutes(1)),
                    s.duration("egoi.response-timeout", Duration.ofMillis(50), Duration.ofMinutes(5)),
                    s.integer("egoi.max-connections", 1, 20_000), s.integer("egoi.io-threads", 1, 64), wrong);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid egoi.* settings: " + e.getMessage());
        }
    }

    /** The names of every profile mentioned by any {@code profile.<name>.*} setting. */
    public static Set<String> profileNames(Settings s) {
        Set<String> names = new TreeSet<>();
        s.all().keySet().forEach(k -> SettingsCatalog.profileAttribute(k).ifPresent(p -> names.add(p[0])));
        return names;
    }

    /**
     * The sender profiles, each with its API key (from {@code api-key} or {@code api-key-file}) and senderHash.
     * {@code requireDefault}: the worker needs a {@code default} profile to answer requests that name none.
     */
    public static SenderProfiles profiles(Settings s, boolean requireDefault) {
        Set<String> names = profileNames(s);
        if (requireDefault && !names.contains(SenderProfile.DEFAULT)) {
            throw ConfigException.missing("profile.default.api-key", "the worker needs a sender profile named "
                    + "default (EGOI_VERIFY_PROFILE_DEFAULT_API_KEY and EGOI_VERIFY_PROFILE_DEFAULT_SENDER_HASH)");
        }
        List<SenderProfile> profiles = new ArrayList<>();
        for (String name : names) {
            String prefix = "profile." + name + ".";
            if (!PROFILE_NAME.matcher(name).matches()) {
                throw new ConfigException("invalid sender profile name '" + name + "' in " + prefix
                        + "*: use 1-64 of [A-Za-z0-9._-]");
            }
            String key = apiKey(s, name);
            String hash = s.required(prefix + "sender-hash", "the E-goi senderHash of profile " + name);
            profiles.add(new SenderProfile(name, key, hash, s.string(prefix + "group")));
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
}
