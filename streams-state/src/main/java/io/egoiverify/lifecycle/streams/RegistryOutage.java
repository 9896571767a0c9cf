package io.egoiverify.lifecycle.streams;

import io.egoiverify.schemas.registry.RegistryUnavailableException;

/** Tells an outage of the schema registry (retry; never dead-letter) from a bad record. */
final class RegistryOutage {
    private RegistryOutage() {
    }

    static boolean causedBy(Throwable error) {
        return Causes.find(error, RegistryUnavailableException.class) != null;
    }
}
