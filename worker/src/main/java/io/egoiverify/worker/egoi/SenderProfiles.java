package io.egoiverify.worker.egoi;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured sender profiles by name; a {@code default} profile is required. Immutable. */
public final class SenderProfiles {
    private final Map<String, SenderProfile> byName;

    public SenderProfiles(Collection<SenderProfile> profiles) {
        Map<String, SenderProfile> map = new LinkedHashMap<>();
        for (SenderProfile p : profiles) {
            if (map.put(p.name(), p) != null) {
                throw new IllegalArgumentException("duplicate sender profile " + p.name());
            }
        }
        if (!map.containsKey(SenderProfile.DEFAULT)) {
            throw new IllegalArgumentException("a sender profile named '" + SenderProfile.DEFAULT + "' is required");
        }
        this.byName = Map.copyOf(map);
    }

    public static SenderProfiles of(SenderProfile... profiles) {
        return new SenderProfiles(List.of(profiles));
    }

    /** The profile with this name; null or blank means {@code default}. */
    public Optional<SenderProfile> find(String name) {
        return Optional.ofNullable(byName.get(name == null || name.isBlank() ? SenderProfile.DEFAULT : name));
    }

    /** Every profile. */
    public Collection<SenderProfile> all() {
        return byName.values();
    }

    @Override
    public String toString() {
        return "SenderProfiles" + byName.keySet();
    }
}
