package io.egoiverify.app.deadletter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which dead letters a replay copies back to their origin topic. The origin must be one of this deployment's input
 * topics (resends only when asked for: a replayed resend is a new resend); a dead letter is copied only if it came from
 * that topic, falls in the time range and the listed positions, and is whole (a truncated one is not the record).
 */
public final class ReplaySelection {
    /** What a replay does with one dead letter. */
    public enum Verdict {
        REPLAY,
        /** Cut to fit the dead-letter topic: copy the original from its origin topic and offset instead. */
        TRUNCATED,
        /** From another topic of this deployment. */
        OTHER_ORIGIN,
        /** From a topic this deployment does not have (another prefix sharing the dead-letter topic). */
        FOREIGN,
        /** Outside {@code --since}/{@code --until} or not in {@code --offsets}. */
        NOT_SELECTED
    }

    private final DeploymentTopics topics;
    private final String origin;
    private final Instant since;
    private final Instant until;
    private final Map<Integer, Set<Long>> positions;

    private ReplaySelection(DeploymentTopics topics, String origin, Instant since, Instant until,
                            Map<Integer, Set<Long>> positions) {
        this.topics = topics;
        this.origin = origin;
        this.since = since;
        this.until = until;
        this.positions = positions;
    }

    /**
     * @param origin         a full topic name or a logical one ({@code requested})
     * @param since          inclusive, or null
     * @param until          exclusive, or null
     * @param positions      dead-letter partition to offsets, or null for all
     * @throws IllegalArgumentException why the origin may not be replayed to
     */
    public static ReplaySelection of(DeploymentTopics topics, String origin, boolean includeResends, Instant since,
                                     Instant until, Map<Integer, Set<Long>> positions) {
        String topic = topics.resolve(origin);
        if (!topics.isInput(topic)) {
            String why = topics.refusal(topic).orElse("not an input topic of this deployment (inputs: "
                    + String.join(", ", topics.inputs()) + "; is topics.prefix right?)");
            throw new IllegalArgumentException("refusing to replay to " + topic + ": " + why);
        }
        if (topics.isResends(topic) && !includeResends) {
            throw new IllegalArgumentException("refusing to replay to " + topic + " without --include-resends: a "
                    + "resend has no id of its own, so a replayed one is a new resend (it may send another code); "
                    + "replay it only while the verification is open and the user still waiting");
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("--since " + since + " is not before --until " + until);
        }
        return new ReplaySelection(topics, topic, since, until, positions);
    }

    public String origin() {
        return origin;
    }

    public Verdict judge(DeadLetter d) {
        if (!origin.equals(d.originTopic())) {
            return d.originTopic() != null && topics.isOwn(d.originTopic()) ? Verdict.OTHER_ORIGIN : Verdict.FOREIGN;
        }
        if (since != null && d.timestamp().isBefore(since) || until != null && !d.timestamp().isBefore(until)
                || positions != null && !positions.getOrDefault(d.partition(), Set.of()).contains(d.offset())) {
            return Verdict.NOT_SELECTED;
        }
        return d.truncated() ? Verdict.TRUNCATED : Verdict.REPLAY;
    }

    /**
     * The listed positions the read did not come across, as {@code p:o} in order: a mistyped partition or offset, or
     * a dead letter already gone with the topic's retention.
     *
     * @param wanted {@link #parsePositions} of {@code --offsets}
     * @param seen   every position read from the dead-letter topic within the range
     */
    public static List<String> missing(Map<Integer, Set<Long>> wanted, Map<Integer, Set<Long>> seen) {
        List<String> missing = new ArrayList<>();
        wanted.forEach((partition, offsets) -> offsets.stream()
                .filter(o -> !seen.getOrDefault(partition, Set.of()).contains(o))
                .forEach(o -> missing.add(partition + ":" + o)));
        return missing;
    }

    /**
     * {@code p:o,p:o,...} (dead-letter partition and offset, as {@code dlq list} prints them).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static Map<Integer, Set<Long>> parsePositions(String text) {
        Map<Integer, Set<Long>> m = new TreeMap<>();
        for (String one : text.split(",")) {
            String[] po = one.trim().split(":", -1);
            try {
                if (po.length != 2) {
                    throw new NumberFormatException();
                }
                int partition = Integer.parseInt(po[0].trim());
                long offset = Long.parseLong(po[1].trim());
                if (partition < 0 || offset < 0) {
                    throw new NumberFormatException();
                }
                m.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + one.trim() + "' is not partition:offset (e.g. 0:42)");
            }
        }
        return m;
    }
}
