package io.egoiverify.app;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The {@code kafka.*} settings as the lifecycle's Kafka Streams properties. The lifecycle sets a 10 s session timeout
 * (and 3 s heartbeat) on the {@code consumer.} prefix unless one is given there; a prefixed setting beats a bare one in
 * Streams, so an operator's bare {@code kafka.session.timeout.ms} would silently lose to that default. The bare group
 * timing settings are therefore also given under the {@code consumer.} prefix, where they win.
 */
final class StreamsClientProperties {
    private static final String[] GROUP_TIMING = {ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG};

    private StreamsClientProperties() {
    }

    static Properties from(Map<String, Object> kafka) {
        Properties p = new Properties();
        kafka.forEach(p::put);
        for (String key : GROUP_TIMING) {
            Object bare = kafka.get(key);
            if (bare != null) {
                p.putIfAbsent(StreamsConfig.consumerPrefix(key), bare);
            }
        }
        return p;
    }
}
