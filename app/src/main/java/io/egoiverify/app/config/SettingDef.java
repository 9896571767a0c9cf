package io.egoiverify.app.config;

import java.util.Objects;

/**
 * The documentation of one fixed setting: its name, default (null = none) and what it means. The catalog of these is
 * the single source of the configuration table in docker/CONFIGURATION.md.
 */
public record SettingDef(String key, String defaultValue, String description) {
    public SettingDef {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(description, "description");
    }
}
