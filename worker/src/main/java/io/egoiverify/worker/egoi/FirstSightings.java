package io.egoiverify.worker.egoi;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which values have been seen before, so that each distinct one is logged once: a provider that answers an unknown
 * status on every call would otherwise write a warning per call. Bounded, so that a provider inventing a new value on
 * every call can neither grow it for ever nor flood the log (past the bound nothing more is logged; the results still
 * carry the value, and the metrics count them).
 */
final class FirstSightings {
    private final int max;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    FirstSightings(int max) {
        this.max = max;
    }

    /** True the first time a value is offered, while fewer than the bound have been seen. */
    boolean first(String value) {
        return seen.size() < max && seen.add(String.valueOf(value));
    }
}
