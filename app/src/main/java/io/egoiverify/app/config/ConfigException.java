package io.egoiverify.app.config;

/**
 * A setting that cannot be used. The message is one line that names the setting and says what is allowed, because an
 * operator reads it in a container log at start-up; the process exits with code 2.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(oneLine(message));
    }

    /** A setting whose value is wrong. */
    public static ConfigException invalid(Setting setting, String allowed) {
        return new ConfigException("invalid setting " + setting.key() + "=" + setting.shownValue() + " ("
                + setting.origin() + "): " + allowed);
    }

    /** A required setting with no value anywhere. */
    public static ConfigException missing(String key, String allowed) {
        return new ConfigException("missing setting " + key + " (set it in the file, as " + SettingsLoader.envName(key)
                + " or with --set " + key + "=...): " + allowed);
    }

    private static String oneLine(String message) {
        return message == null ? "invalid configuration" : message.replaceAll("[\\r\\n]+", " ");
    }
}
