package io.egoiverify.app.deadletter;

import io.egoiverify.schemas.topics.TopicNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * This deployment's topics as a dead letter's origin: the four input topics that may be replayed, and why every other
 * topic of the deployment may not. A topic it does not know is another deployment's (another prefix).
 */
public final class DeploymentTopics {
    static final String INTERNAL_REASON = "the lifecycle has already failed or expired those verifications after "
            + "their deadlines; a replayed command is answered DEADLINE_PASSED without a call at best";
    private final TopicNames names;
    private final Map<String, String> refused = new LinkedHashMap<>();

    /**
     * @param names      the deployment's topic names ({@code topics.prefix}, {@code topics.name.*})
     * @param guardTopics the lifecycle's number-guard topics (named after its application id)
     */
    public DeploymentTopics(TopicNames names, List<String> guardTopics) {
        this.names = names;
        refused.put(names.commands(), "an internal topic: " + INTERNAL_REASON);
        refused.put(names.results(), "an internal topic: " + INTERNAL_REASON);
        guardTopics.forEach(t -> refused.put(t, "a number-guard topic: " + INTERNAL_REASON));
        names.outcomes().forEach(t -> refused.put(t, "an outcome topic: the service writes it, nothing reads it back"));
        refused.put(names.deadLetter(), "the dead-letter topic itself");
    }

    /** The full name for a full name or a logical one ({@code requested}, {@code code-submitted}, ...). */
    public String resolve(String nameOrLogical) {
        String full = names.all().get(nameOrLogical);
        return full != null ? full : nameOrLogical;
    }

    public boolean isInput(String topic) {
        return names.inputs().contains(topic);
    }

    public boolean isResends(String topic) {
        return names.resendRequested().equals(topic);
    }

    /** Whether the topic is one of this deployment's (inputs, internal, guard, outcomes, dead letters). */
    public boolean isOwn(String topic) {
        return isInput(topic) || refused.containsKey(topic);
    }

    /** Why this deployment's topic may not be replayed to, if it is one of those. */
    public Optional<String> refusal(String topic) {
        return Optional.ofNullable(refused.get(topic));
    }

    public String deadLetter() {
        return names.deadLetter();
    }

    public List<String> inputs() {
        return names.inputs();
    }
}
