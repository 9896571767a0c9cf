package io.egoiverify.schemas.topics;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/** One setting of a topic, as the broker says it is (its own value, or the broker's default for it). */
public final class TopicConfigs {
    private TopicConfigs() {
    }

    /**
     * The topic's value of {@code name}, empty when it has none. A broker that refuses to say (no DescribeConfigs
     * permission, an unknown topic) gives {@link Unreadable}: the callers fall back to a default and log it, as a
     * setting they only tune by is no reason to refuse to start. A broker that does not answer in time is.
     */
    public static Optional<String> value(Admin admin, String topic, String name, Duration timeout)
            throws Unreadable {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource).get(name);
            return entry == null ? Optional.empty() : Optional.ofNullable(entry.value());
        } catch (ExecutionException e) {
            throw new Unreadable(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out describing topic " + topic + " after " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topic " + topic, e);
        }
    }

    /** The broker refused to describe the topic's configuration; {@link #getCause()} says why. */
    public static final class Unreadable extends Exception {
        Unreadable(Throwable cause) {
            super(cause);
        }
    }
}
