package io.egoiverify.lifecycle.streams;

import io.egoiverify.schemas.registry.RegistryUnavailableException;

/** Tells an outage of the schema registry (retry; never dead-letter) from a bad record. */
final class RegistryOutage {
    private RegistryOutage() {
    }

    static boolean causedBy(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RegistryUnavailableException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
