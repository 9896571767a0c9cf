package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.Limit;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Monotonic counters behind {@link AbuseMetrics}, readable from any thread (bind them as function counters). */
public final class AbuseCounters implements AbuseMetrics {
    private final LongAdder granted = new LongAdder();
    private final LongAdder superseded = new LongAdder();
    private final LongAdder failedChecks = new LongAdder();
    private final Map<Limit, LongAdder> refused = new EnumMap<>(Limit.class);

    public AbuseCounters() {
        for (Limit l : Limit.values()) {
            refused.put(l, new LongAdder());
        }
    }

    @Override
    public void granted() {
        granted.increment();
    }

    @Override
    public void refused(Limit limit) {
        refused.get(limit).increment();
    }

    @Override
    public void superseded() {
        superseded.increment();
    }

    @Override
    public void failedCheck() {
        failedChecks.increment();
    }

    public long grantedCount() {
        return granted.sum();
    }

    public long refusedCount(Limit limit) {
        return refused.get(limit).sum();
    }

    public long supersededCount() {
        return superseded.sum();
    }

    public long failedCheckCount() {
        return failedChecks.sum();
    }
}
