package io.egoiverify.app.config;

import java.util.List;

/** The {@code worker.*} settings, mapped onto the command worker's configuration. */
public final class WorkerSettings {
    static final List<SettingDef> DEFS = List.of();

    private WorkerSettings() {
    }
}
