package io.egoiverify.e2e.bench;

import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.e2e.client.SandboxClient;
import io.egoiverify.events.CodeRejected;
import io.egoiverify.events.RejectReason;
import io.egoiverify.events.ResendRejected;
import io.egoiverify.events.VerificationExpired;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * One benchmark step: {@code rate} verification requests per second for {@code duration}, each to its own number; a
 * simulated user types the right code as soon as {@code VerificationSent} is seen, except for a fraction left to
 * expire. Then waits until every flow ended (or {@code drain} passed) and computes the figures from the outcome topics
 * (and, when the log reads them, the internal command and result topics).
 */
final class LoadStep {
    private final String label;
    private final String idPrefix;
    private final int rate;
    private final Duration duration;
    private final int expireEvery;
    private final int ttlSeconds;
    private final Inputs inputs;
    private final OutcomeLog log;
    private final Topics topics;
    private final SandboxClient sandbox;
    private final LongSupplier phoneNumbers;
    private final ResendShare.Step resends;
    /** Flows whose user asks for a second code instead of typing the first (see ResendShare). */
    private final Set<String> resent = ConcurrentHashMap.newKeySet();

    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Map<String, String> phones = new ConcurrentHashMap<>();
    private final Map<String, String> submittedCodes = new ConcurrentHashMap<>();
    private final Map<String, Long> submittedAt = new ConcurrentHashMap<>();
    private final Map<String, String> pendingCodes = new ConcurrentHashMap<>();

    LoadStep(String label, String idPrefix, int rate, Duration duration, int expireEvery, int ttlSeconds,
            Inputs inputs, OutcomeLog log,
             Topics topics, SandboxClient sandbox, LongSupplier phoneNumbers) {
        this(label, idPrefix, rate, duration, expireEvery, ttlSeconds, inputs, log, topics, sandbox, phoneNumbers,
                ResendShare.none());
    }

    LoadStep(String label, String idPrefix, int rate, Duration duration, int expireEvery, int ttlSeconds,
            Inputs inputs, OutcomeLog log, Topics topics, SandboxClient sandbox, LongSupplier phoneNumbers,
            ResendShare resendShare) {
        this.label = label;
        this.idPrefix = idPrefix;
        this.rate = rate;
        this.duration = duration;
        this.expireEvery = expireEvery;
        this.ttlSeconds = ttlSeconds;
        this.inputs = inputs;
        this.log = log;
        this.topics = topics;
        this.sandbox = sandbox;
        this.phoneNumbers = phoneNumbers;
        this.resends = resendShare.step(label, inputs);
    }

    /** Runs the step; {@code productionEnded} runs when the last request is produced (before the drain). */
    StepResult run(Duration drain, Runnable productionEnded) throws InterruptedException {
        int logCursor = log.all().size();
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread user = new Thread(() -> answer(logCursor, producing), "bench-user-" + label);
        user.setDaemon(true);
        user.start();
        long start = System.currentTimeMillis();
        long end = start + duration.toMillis();
        int produced = 0;
        while (System.currentTimeMillis() < end) {
            long due = (System.currentTimeMillis() - start) * rate / 1000;
            while (produced < due) {
                String id = idPrefix + "-" + produced;
                String phone = "+3519" + phoneNumbers.getAsLong();
                sentAt.put(id, System.currentTimeMillis());
                phones.put(id, phone);
                if (resends.chosen(produced) && !expires(id)) {
                    resent.add(id);
                }
                inputs.send(Inputs.request(id, phone).setTtlSeconds(ttlSeconds).build());
                produced++;
            }
            Thread.sleep(5); // pacing the producer, not waiting for Kafka
        }
        inputs.flush();
        long producedEnd = System.currentTimeMillis();
        productionEnded.run();
        long drainUntil = producedEnd + drain.toMillis();
        while (System.currentTimeMillis() < drainUntil && !allEnded()) {
            Thread.sleep(200); // polling the in-memory outcome index
        }
        producing.set(false);
        user.join(2_000);
        return compute(start, producedEnd, produced);
    }

    private boolean expires(String id) {
        return expireEvery > 0 && Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)) % expireEvery == 0;
    }

    private boolean allEnded() {
        for (String id : sentAt.keySet()) {
            if (log.terminals(id).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** The simulated users: watch for VerificationSent, fetch codes from the sandbox outbox, submit them. */
    private void answer(int cursor, AtomicBoolean producing) {
        int next = cursor;
        long lastFetch = 0;
        Map<String, String> codes = new HashMap<>();
        while (producing.get()) {
            List<OutcomeLog.Event> fresh = log.since(next);
            next += fresh.size();
            for (OutcomeLog.Event e : fresh) {
                retryUnjudged(e);
                if (e.topic().equals(topics.sent.name()) && e.key() != null && sentAt.containsKey(e.key())
                        && !expires(e.key()) && e.value() instanceof VerificationSent sent) {
                    String providerId = resent.contains(e.key()) ? resends.sent(e.key(), sent, e.seenAtMillis())
                            : sent.getProviderRequestId();
                    if (providerId != null) {
                        pendingCodes.put(e.key(), providerId);
                    }
                } else if (e.key() != null && resent.contains(e.key()) && e.value() instanceof ResendRejected r) {
                    String providerId = resends.refused(e.key(), r);
                    if (providerId != null) {
                        pendingCodes.put(e.key(), providerId);
                    }
                }
            }
            resends.publishDue(System.currentTimeMillis());
            if (!pendingCodes.isEmpty() && System.currentTimeMillis() - lastFetch >= 250) {
                lastFetch = System.currentTimeMillis();
                try {
                    codes = sandbox.codesByProviderRequestId();
                } catch (RuntimeException ex) {
                    // try again next round
                }
                for (Map.Entry<String, String> p : new ArrayList<>(pendingCodes.entrySet())) {
                    String code = codes.get(p.getValue());
                    if (code != null && pendingCodes.remove(p.getKey()) != null) {
                        submittedAt.put(p.getKey(), System.currentTimeMillis());
                        submittedCodes.put(p.getKey(), code);
                        inputs.send(Inputs.submission(p.getKey(), p.getKey() + "-s", code));
                    }
                }
            }
            try {
                Thread.sleep(20); // pacing the simulated user
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * A check E-goi could not judge is answered CodeRejected(FAILED), the attempt not counted: the user types the same
     * code once more, as a person would.
     */
    private void retryUnjudged(OutcomeLog.Event e) {
        if (e.topic().equals(topics.codeRejected.name()) && e.key() != null
                && e.value() instanceof CodeRejected r && r.getReason() == RejectReason.FAILED
                && r.getSubmissionId().equals(e.key() + "-s")) {
            String code = submittedCodes.get(e.key());
            if (code != null) {
                inputs.send(Inputs.submission(e.key(), e.key() + "-s2", code));
            }
        }
    }

    /** Every requestId of this step with the number it was sent to (E.164). */
    Map<String, String> phones() {
        return Map.copyOf(phones);
    }

    Map<String, Long> requestedAt() {
        return Map.copyOf(sentAt);
    }

    /** request→sent minus the send call's own duration, per requestId that got its {@code VerificationSent}. */
    Map<String, Long> requestToSentById() {
        Map<String, Long> out = new HashMap<>();
        sentAt.forEach((id, requested) -> {
            List<OutcomeLog.Event> events = log.events(id);
            OutcomeLog.Event sent = first(events, topics.sent.name());
            if (sent != null) {
                Map<String, VerificationCommand> commands = new HashMap<>();
                Map<String, VerificationCommandResult> results = new HashMap<>();
                for (OutcomeLog.Event e : events) {
                    if (e.value() instanceof VerificationCommand c) {
                        commands.put(c.getCommandId(), c);
                    } else if (e.value() instanceof VerificationCommandResult r) {
                        results.put(r.getCommandId(), r);
                    }
                }
                out.put(id, sent.seenAtMillis() - requested - Math.max(0, callMillis(commands, results, true)));
            }
        });
        return out;
    }

    private StepResult compute(long start, long producedEnd, int produced) {
        List<Long> requestToSent = new ArrayList<>();
        List<Long> submitToVerified = new ArrayList<>();
        List<Long> expiryLag = new ArrayList<>();
        Map<String, List<Long>> hops = new LinkedHashMap<>();
        int verified = 0;
        int expired = 0;
        int failed = 0;
        int cancelled = 0;
        int open = 0;
        List<Long> verifiedSeen = new ArrayList<>();
        for (Map.Entry<String, Long> flow : sentAt.entrySet()) {
            String id = flow.getKey();
            long requested = flow.getValue();
            List<OutcomeLog.Event> events = log.events(id);
            Map<String, VerificationCommand> commands = new HashMap<>();
            Map<String, VerificationCommandResult> results = new HashMap<>();
            for (OutcomeLog.Event e : events) {
                if (e.value() instanceof VerificationCommand c) {
                    commands.put(c.getCommandId(), c);
                } else if (e.value() instanceof VerificationCommandResult r) {
                    results.put(r.getCommandId(), r);
                }
            }
            OutcomeLog.Event sent = first(events, topics.sent.name());
            OutcomeLog.Event ver = first(events, topics.verified.name());
            OutcomeLog.Event exp = first(events, topics.expired.name());
            long sendCall = callMillis(commands, results, true);
            long checkCall = callMillis(commands, results, false);
            if (sent != null) {
                requestToSent.add(sent.seenAtMillis() - requested - Math.max(0, sendCall));
                hop(hops, "send", requested, commands, results, true, sent);
            }
            if (ver != null) {
                verified++;
                verifiedSeen.add(ver.seenAtMillis());
                Long submitted = submittedAt.get(id);
                if (submitted != null) {
                    submitToVerified.add(ver.seenAtMillis() - submitted - Math.max(0, checkCall));
                    hop(hops, "check", submitted, commands, results, false, ver);
                }
            } else if (exp != null) {
                expired++;
                if (sent != null && sent.value() instanceof VerificationSent s
                        && exp.value() instanceof VerificationExpired) {
                    expiryLag.add(exp.seenAtMillis() - s.getExpiresAt().toEpochMilli());
                }
            } else if (first(events, topics.failed.name()) != null) {
                failed++;
            } else if (first(events, topics.cancelled.name()) != null) {
                cancelled++;
            } else {
                open++;
            }
        }
        Map<String, Percentiles> hopStats = new LinkedHashMap<>();
        hops.forEach((k, v) -> hopStats.put(k, Percentiles.of(v)));
        // Steady state: verifications completed between the pipeline filling up and the end of production. If the
        // product keeps up this is the answered offered rate; if it falls behind, its capacity.
        long fill = Math.min(2_000, (producedEnd - start) / 3);
        long from = start + fill;
        long inWindow = verifiedSeen.stream().filter(t -> t >= from && t < producedEnd).count();
        double flowsPerSecond = inWindow / Math.max(0.001, (producedEnd - from) / 1000.0);
        return new StepResult(label, rate, produced, (producedEnd - start) / 1000.0, verified, expired, failed,
                cancelled, open, Math.round(flowsPerSecond * 10) / 10.0, Percentiles.of(requestToSent),
                Percentiles.of(submitToVerified), Percentiles.of(expiryLag), hopStats, Map.of(), 0,
                BrokerLoadSampler.BrokerLoad.notSampled());
    }

    private static OutcomeLog.Event first(List<OutcomeLog.Event> events, String topic) {
        for (OutcomeLog.Event e : events) {
            if (e.topic().equals(topic)) {
                return e;
            }
        }
        return null;
    }

    private static long callMillis(Map<String, VerificationCommand> commands,
                                   Map<String, VerificationCommandResult> results, boolean send) {
        for (VerificationCommand c : commands.values()) {
            VerificationCommandResult r = results.get(c.getCommandId());
            if (r != null && isSend(c) == send && r.getCallStartedAt() != null) {
                return r.getCompletedAt().toEpochMilli() - r.getCallStartedAt().toEpochMilli();
            }
        }
        return -1;
    }

    private static boolean isSend(VerificationCommand c) {
        return c.getAction() instanceof SendCode;
    }

    /** Per-hop figures: input → command, command → E-goi call, the call, result → outcome, outcome → visible. */
    private static void hop(Map<String, List<Long>> hops, String path, long input,
                            Map<String, VerificationCommand> commands, Map<String, VerificationCommandResult> results,
                            boolean send, OutcomeLog.Event outcome) {
        for (VerificationCommand c : commands.values()) {
            if (isSend(c) != send || (!send && !(c.getAction() instanceof CheckCode))) {
                continue;
            }
            VerificationCommandResult r = results.get(c.getCommandId());
            long issued = c.getIssuedAt().toEpochMilli();
            add(hops, path + ": input -> command", issued - input);
            if (r != null) {
                long completed = r.getCompletedAt().toEpochMilli();
                if (r.getCallStartedAt() != null) {
                    long callStart = r.getCallStartedAt().toEpochMilli();
                    add(hops, path + ": command -> E-goi call", callStart - issued);
                    add(hops, path + ": E-goi call", completed - callStart);
                }
                long occurred = outcome.value() == null ? outcome.timestamp()
                        : ((Instant) outcome.value().get(outcome.value().getSchema()
                        .getField("occurredAt").pos())).toEpochMilli();
                add(hops, path + ": result -> outcome", occurred - completed);
                add(hops, path + ": outcome -> visible (read_committed)", outcome.seenAtMillis() - occurred);
            }
            return;
        }
    }

    private static void add(Map<String, List<Long>> hops, String key, long value) {
        hops.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
}
