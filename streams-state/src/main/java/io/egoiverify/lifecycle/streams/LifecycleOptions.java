package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.schemas.topics.Topics;
import java.util.Objects;

/**
 * What the lifecycle topology ({@link LifecycleTopology#build}) and its runner ({@link LifecycleService}) are made
 * of: one validated value instead of a ladder of overloads. {@link #of} gives production's choices (RocksDB stores, no
 * metric hooks); {@code with…} derive the rest.
 *
 * @param topics           every topic, with its serdes
 * @param config           the lifecycle's settings
 * @param persistentStores RocksDB stores when true; in-memory stores (still changelogged) when false, for tests
 * @param abuseMetrics     per-limit counters of the number guard (used only with per-number limits); called on stream
 *                         threads, so thread-safe and cheap (e.g. {@link AbuseCounters})
 * @param lifecycleMetrics the lifecycle processor's hook: expiry lag, failures and resend refusals by reason; called
 *                         on stream threads
 */
public record LifecycleOptions(Topics topics, LifecycleConfig config, boolean persistentStores,
                               AbuseMetrics abuseMetrics, LifecycleMetrics lifecycleMetrics) {
    public LifecycleOptions {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(abuseMetrics, "abuseMetrics");
        Objects.requireNonNull(lifecycleMetrics, "lifecycleMetrics");
    }

    /** RocksDB stores and no metric hooks. */
    public static LifecycleOptions of(Topics topics, LifecycleConfig config) {
        return new LifecycleOptions(topics, config, true, AbuseMetrics.NONE, LifecycleMetrics.NONE);
    }

    public LifecycleOptions withInMemoryStores() {
        return new LifecycleOptions(topics, config, false, abuseMetrics, lifecycleMetrics);
    }

    public LifecycleOptions withAbuseMetrics(AbuseMetrics metrics) {
        return new LifecycleOptions(topics, config, persistentStores, metrics, lifecycleMetrics);
    }

    public LifecycleOptions withLifecycleMetrics(LifecycleMetrics metrics) {
        return new LifecycleOptions(topics, config, persistentStores, abuseMetrics, metrics);
    }

    public LifecycleOptions withConfig(LifecycleConfig lifecycleConfig) {
        return new LifecycleOptions(topics, lifecycleConfig, persistentStores, abuseMetrics, lifecycleMetrics);
    }
}
