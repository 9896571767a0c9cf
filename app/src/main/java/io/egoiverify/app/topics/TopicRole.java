package io.egoiverify.app.topics;

import java.time.Duration;

/**
 * What one of the deployment's own topics is for, which decides the settings it should have. The retentions are the
 * operations guide's: inputs and results are read within seconds, outcomes as late as the registration services lag,
 * commands hold phone numbers and codes in clear, dead letters raw inputs.
 */
public enum TopicRole {
    INPUT(Duration.ofDays(2), true),
    OUTCOME(Duration.ofDays(7), false),
    COMMANDS(Duration.ofHours(1), true),
    RESULTS(Duration.ofDays(1), true),
    DEAD_LETTER(Duration.ofDays(1), false);

    private final Duration retention;
    private final boolean coPartitioned;

    TopicRole(Duration retention, boolean coPartitioned) {
        this.retention = retention;
        this.coPartitioned = coPartitioned;
    }

    /** The retention {@code topics create} gives a topic of this role. */
    public Duration retention() {
        return retention;
    }

    /** Read by the lifecycle as a source keyed by requestId: must share the inputs' partition count. */
    public boolean coPartitioned() {
        return coPartitioned;
    }
}
