package io.egoiverify.app.ops;

import org.apache.kafka.streams.KafkaStreams;

/** How the state of each component maps onto readiness (wrapped in a {@link GracefulCheck} by the runtime). */
public final class ComponentReadiness {
    private ComponentReadiness() {
    }

    /**
     * RUNNING is up, also for an instance that owns no partitions (a healthy standby-in-waiting). REBALANCING is a
     * dip (a rebalance, or a stream thread replaced after a registry blip). Anything else (not started, an error, a
     * shutdown) is down.
     */
    public static HealthCheck.Status streams(KafkaStreams.State state) {
        if (state == KafkaStreams.State.RUNNING) {
            return HealthCheck.Status.up("RUNNING");
        }
        if (state == KafkaStreams.State.REBALANCING) {
            return HealthCheck.Status.dip("REBALANCING");
        }
        return HealthCheck.Status.down(state == null ? "not started" : state.name());
    }

    /** Joined (an assignment received, possibly empty) is up; rejoining while running a dip; stopped is down. */
    public static HealthCheck.Status worker(boolean joined, boolean running, String groupId) {
        if (joined) {
            return HealthCheck.Status.up("joined group " + groupId);
        }
        return running ? HealthCheck.Status.dip("joining group " + groupId) : HealthCheck.Status.down("worker stopped");
    }
}
