package io.egoiverify.schemas.registry;

import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;

/**
 * A {@code schema.registry.ssl.*} setting that cannot be used: a file that cannot be read, a wrong password, an unknown
 * type. The message starts with the setting's name and never holds a password.
 */
public final class RegistryTlsException extends ConfigException {
    private static final long serialVersionUID = 1L;
    private final String setting;
    private final String reason;

    public RegistryTlsException(String setting, String reason) {
        super(setting + " " + reason);
        this.setting = Objects.requireNonNull(setting, "setting");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    RegistryTlsException(String setting, String reason, Throwable cause) {
        this(setting, reason);
        initCause(cause);
    }

    /** The setting to fix, e.g. {@code schema.registry.ssl.truststore.password}. */
    public String setting() {
        return setting;
    }

    /** What is wrong with it, without the setting's name. */
    public String reason() {
        return reason;
    }
}
