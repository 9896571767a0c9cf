package io.egoiverify.e2e.bench;

import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationSent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The benchmark's "share of verifications resent once" ({@code --resend-share 0.1}; issue 12: resend must not slow
 * the main path). A chosen flow's simulated user does not type the first code: once the resend cooldown has passed
 * since its first {@code VerificationSent} was read, it asks for a new code, and types the second one when its
 * {@code VerificationSent} (sendCount 2) is read. A refused resend makes it type the first code after all. Flows left
 * to expire are never chosen. The lifecycle's cooldown is set to {@code --resend-after-ms} less a margin unless
 * {@code --set lifecycle.resend-cooldown=...} says otherwise.
 */
final class ResendShare {
    /** The user asks this long after the first VerificationSent was read; the stack's cooldown is shorter. */
    private static final Duration DEFAULT_RESEND_AFTER = Duration.ofMillis(1500);
    private static final Duration COOLDOWN = Duration.ofSeconds(1);

    private final double share;
    private final Duration resendAfter;
    /** Per step label: resends asked, accepted (second VerificationSent read) and refused. */
    private final Map<String, int[]> counts = new ConcurrentHashMap<>();
    /** Refusals by reason, all steps together. */
    private final Map<String, Integer> reasons = new ConcurrentHashMap<>();

    private ResendShare(double share, Duration resendAfter) {
        if (share < 0 || share > 1) {
            throw new IllegalArgumentException("--resend-share must be 0..1, got " + share);
        }
        this.share = share;
        this.resendAfter = resendAfter;
    }

    /** No resends (the storms, the naive baseline). */
    static ResendShare none() {
        return new ResendShare(0, DEFAULT_RESEND_AFTER);
    }

    /** {@code --resend-share} (default 0) and {@code --resend-after-ms} from the benchmark's arguments. */
    static ResendShare parse(String[] args) {
        double share = 0;
        Duration after = DEFAULT_RESEND_AFTER;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--resend-share")) {
                share = Double.parseDouble(args[i + 1]);
            } else if (args[i].equals("--resend-after-ms")) {
                after = Duration.ofMillis(Long.parseLong(args[i + 1]));
            }
        }
        return new ResendShare(share, after);
    }

    double share() {
        return share;
    }

    /** The stack's settings with a cooldown this benchmark can wait out (an explicit setting wins). */
    Map<String, String> settings(Map<String, String> settings) {
        Map<String, String> s = new LinkedHashMap<>(settings);
        if (share > 0) {
            s.putIfAbsent("lifecycle.resend-cooldown", COOLDOWN.toMillis() + "ms");
        }
        return s;
    }

    /** Whether flow number {@code n} of a step is resent: evenly spread, {@code share} of all flows. */
    private boolean chosen(int n) {
        return share > 0 && Math.floor((n + 1) * share) > Math.floor(n * share);
    }

    /** The resends of one step, driven from the simulated user's loop (one thread: the counts are its own). */
    Step step(String label, Inputs inputs) {
        int[] c = new int[3];
        counts.put(label, c);
        return new Step(inputs, c);
    }

    /** What a step's simulated user does for chosen flows. */
    final class Step {
        private final Inputs inputs;
        private final int[] counts;
        private final Map<String, Long> due = new ConcurrentHashMap<>();
        private final Map<String, String> firstProviderIds = new ConcurrentHashMap<>();

        private Step(Inputs inputs, int[] counts) {
            this.inputs = inputs;
            this.counts = counts;
        }

        boolean chosen(int n) {
            return ResendShare.this.chosen(n);
        }

        /**
         * A {@code VerificationSent} of a chosen flow was read: the first schedules the resend and returns null (the
         * user waits for the new code); a later one returns its E-goi id, whose code the user types.
         */
        String sent(String id, VerificationSent sent, long seenAt) {
            if (sent.getSendCount() <= 1) {
                firstProviderIds.put(id, sent.getProviderRequestId());
                due.put(id, seenAt + resendAfter.toMillis());
                return null;
            }
            counts[1]++;
            return sent.getProviderRequestId();
        }

        /** A refused resend: the user types the first code after all; returns its E-goi id. */
        String refused(String id, ResendRejected rejected) {
            counts[2]++;
            reasons.merge(rejected.getReason().name(), 1, Integer::sum);
            return firstProviderIds.get(id);
        }

        /** Publishes the resends whose time has come. */
        void publishDue(long now) {
            for (Map.Entry<String, Long> d : due.entrySet()) {
                if (d.getValue() <= now && due.remove(d.getKey()) != null) {
                    inputs.send(Inputs.resend(d.getKey(), "benchmark"));
                    counts[0]++;
                }
            }
        }
    }

    /** {@code resend.json}: the share and, per step, the resends asked, accepted and refused. */
    void write(Path dir) throws IOException {
        StringBuilder json = new StringBuilder("{\"resendShare\":" + share + ",\"resendAfterMs\":"
                + resendAfter.toMillis() + ",\"steps\":{");
        String sep = "";
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            json.append(sep).append('"').append(e.getKey()).append("\":{\"asked\":").append(e.getValue()[0])
                    .append(",\"accepted\":").append(e.getValue()[1]).append(",\"refused\":")
                    .append(e.getValue()[2]).append('}');
            sep = ",";
        }
        json.append("},\"refusedByReason\":{");
        sep = "";
        for (Map.Entry<String, Integer> e : reasons.entrySet()) {
            json.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
            sep = ",";
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("resend.json"), json.append("}}\n").toString(), StandardCharsets.UTF_8);
    }

    /** One line for the console and the report. */
    String summary() {
        StringBuilder s = new StringBuilder("resend share " + share + " (resend asked " + resendAfter.toMillis()
                + " ms after the first VerificationSent was read)");
        counts.forEach((label, c) -> s.append("; ").append(label).append(": ").append(c[0]).append(" asked, ")
                .append(c[1]).append(" accepted, ").append(c[2]).append(" refused"));
        return s.append("; refused by reason ").append(reasons).toString();
    }
}
