package io.egoiverify.app.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What {@code run} starts in this process (setting {@code role}). */
public enum Role {
    /** The lifecycle topology only. */
    STATE,
    /** The E-goi command worker only. */
    WORKER,
    /** Both in one process. */
    ALL;

    /** The value of the {@code role} setting that selects this role. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean runsLifecycle() {
        return this != WORKER;
    }

    public boolean runsWorker() {
        return this != STATE;
    }

    /** Every value the {@code role} setting accepts. */
    public static Set<String> settingValues() {
        return Arrays.stream(values()).map(Role::settingValue).collect(Collectors.toUnmodifiableSet());
    }

    /** The role of a setting value already checked against {@link #settingValues()}. */
    public static Role ofSettingValue(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
