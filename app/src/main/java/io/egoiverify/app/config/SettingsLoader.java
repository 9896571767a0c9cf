package io.egoiverify.app.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Builds the effective settings from four layers, each overriding the one before: catalog defaults, a properties file
 * ({@code --config}), environment variables ({@code EGOI_VERIFY_} + the key in upper snake case, e.g.
 * {@code worker.max-in-flight} = {@code EGOI_VERIFY_WORKER_MAX_IN_FLIGHT}) and command-line flags. An environment
 * variable ending in {@code _FILE} names a file whose content is the value (Docker/Kubernetes secrets).
 */
public final class SettingsLoader {
    public static final String ENV_PREFIX = "EGOI_VERIFY_";
    private static final String FILE_SUFFIX = "_FILE";

    private SettingsLoader() {
    }

    /** The environment variable that sets {@code key}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static Settings load(Path configFile, Map<String, String> env, Map<String, String> flags) {
        Map<String, Setting> values = new LinkedHashMap<>();
        for (SettingDef def : SettingsCatalog.definitions()) {
            if (def.defaultValue() != null) {
                values.put(def.key(), new Setting(def.key(), def.defaultValue(), "default",
                        SettingsCatalog.isSecret(def.key())));
            }
        }
        if (configFile != null) {
            fromFile(configFile).forEach(values::put);
        }
        fromEnvironment(env).forEach(values::put);
        flags.forEach((key, value) -> values.put(key, checked(new Setting(key, value, "command line",
                SettingsCatalog.isSecret(key)))));
        return new Settings(values);
    }

    private static Map<String, Setting> fromFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("config file " + file + " cannot be read (" + e.getClass().getSimpleName()
                    + "): give a readable .properties file to --config");
        }
        Map<String, Setting> out = new TreeMap<>();
        for (String key : props.stringPropertyNames()) {
            String origin = "file " + file.getFileName();
            out.put(key, checked(new Setting(key, props.getProperty(key).trim(), origin,
                    SettingsCatalog.isSecret(key))));
        }
        return out;
    }

    private static Map<String, Setting> fromEnvironment(Map<String, String> env) {
        Map<String, Setting> out = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || name.length() == ENV_PREFIX.length()) {
                continue;
            }
            String key = keyOf(name);
            if (key != null && name.endsWith(FILE_SUFFIX) && SettingsCatalog.isKafkaKey(key)) {
                // EGOI_VERIFY_KAFKA_..._FILE is a Kafka property read from a file, not a property named "...file".
                key = null;
            }
            if (key != null) {
                out.put(key, new Setting(key, e.getValue().trim(), "environment " + name,
                        SettingsCatalog.isSecret(key)));
                continue;
            }
            if (name.endsWith(FILE_SUFFIX)) {
                String base = name.substring(0, name.length() - FILE_SUFFIX.length());
                String baseKey = keyOf(base);
                if (baseKey != null) {
                    String origin = "environment " + name;
                    out.put(baseKey, new Setting(baseKey, readSecretFile(name, e.getValue()), origin,
                            SettingsCatalog.isSecret(baseKey)));
                    continue;
                }
            }
            if (ServiceLinks.isOne(name, e.getValue())) {
                continue;
            }
            throw new ConfigException("unknown environment variable " + name + ": no such setting (every setting "
                    + "is listed in docker/CONFIGURATION.md; Kafka client properties go in EGOI_VERIFY_KAFKA_*)");
        }
        return out;
    }

    /** Maps an environment variable name to a setting key, or null when none matches. */
    static String keyOf(String envName) {
        for (String key : SettingsCatalog.fixedKeys()) {
            if (envName(key).equals(envName)) {
                return key;
            }
        }
        for (String key : SettingsCatalog.topicNameKeys()) {
            if (envName(key).equals(envName)) {
                return key;
            }
        }
        String rest = envName.substring(ENV_PREFIX.length());
        if (rest.startsWith("KAFKA_") && rest.length() > "KAFKA_".length()) {
            // Kafka client keys are dotted lower case, so the mapping back is unambiguous.
            return "kafka." + rest.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
        }
        if (rest.startsWith("PROFILE_")) {
            String tail = rest.substring("PROFILE_".length());
            for (String attr : SettingsCatalog.PROFILE_ATTRIBUTES) {
                String suffix = "_" + attr.toUpperCase(Locale.ROOT).replace('-', '_');
                if (tail.endsWith(suffix) && tail.length() > suffix.length()) {
                    // Profile names arrive lower-cased from the environment; mixed-case names need the file or --set.
                    String name = tail.substring(0, tail.length() - suffix.length()).toLowerCase(Locale.ROOT);
                    return "profile." + name + "." + attr;
                }
            }
        }
        return null;
    }

    private static String readSecretFile(String envName, String path) {
        try {
            return Files.readString(Path.of(path.trim()), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("environment " + envName + " names a file that cannot be read ("
                    + e.getClass().getSimpleName() + "): give the path of a readable file holding the value");
        }
    }

    private static Setting checked(Setting setting) {
        if (!SettingsCatalog.isKnown(setting.key())) {
            throw new ConfigException("unknown setting " + setting.key() + " (" + setting.origin() + "): every "
                    + "setting is listed in docker/CONFIGURATION.md; Kafka client properties start with kafka.");
        }
        return setting;
    }
}
