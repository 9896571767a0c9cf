package io.egoiverify.e2e.support;

import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.events.VerificationSent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded load: {@code count} verification requests at {@code perSecond}, each to its own phone number (so the
 * sandbox's per-number send counter is a per-verification counter), and a simulated user who types the right code
 * (read from the sandbox outbox by E-goi requestId) as soon as {@code VerificationSent} is seen.
 */
public final class LoadRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadRun.class);

    private final E2eStack e2e;
    private final String name;
    private final int count;
    private final Map<String, Long> requestedAt = new ConcurrentHashMap<>();
    private final Map<String, String> phoneByRequest = new ConcurrentHashMap<>();
    private final Set<String> submitted = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> submittedAt = new ConcurrentHashMap<>();
    private final Set<String> retried = ConcurrentHashMap.newKeySet();
    /** requestId → the code the user was sent (kept to type it again after an unjudged check). */
    private final Map<String, String> codes = new ConcurrentHashMap<>();
    private final AtomicInteger produced = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "load");
        t.setDaemon(true);
        return t;
    });
    private final long startedAt = System.currentTimeMillis();

    private LoadRun(E2eStack e2e, String name, int count) {
        this.e2e = e2e;
        this.name = name;
        this.count = count;
    }

    /** Starts producing {@code count} requests at {@code perSecond} and answering codes; returns at once. */
    public static LoadRun start(E2eStack e2e, String name, int count, int perSecond, int ttlSeconds) {
        LoadRun run = new LoadRun(e2e, name, count);
        long periodMicros = 1_000_000L / perSecond;
        run.scheduler.scheduleAtFixedRate(() -> run.produceOne(ttlSeconds), 0, periodMicros, TimeUnit.MICROSECONDS);
        run.scheduler.scheduleWithFixedDelay(run::answerCodes, 100, 100, TimeUnit.MILLISECONDS);
        return run;
    }

    private void produceOne(int ttlSeconds) {
        int n = produced.get();
        if (n >= count) {
            return;
        }
        try {
            String requestId = name + "-" + e2e.runId() + "-" + n;
            String phone = e2e.nextPhoneNumber();
            phoneByRequest.put(requestId, phone);
            requestedAt.put(requestId, System.currentTimeMillis());
            e2e.inputs().send(Inputs.request(requestId, phone).setTtlSeconds(ttlSeconds).build());
            produced.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.warn("load {}: cannot produce: {}", name, e.toString());
        }
    }

    private void answerCodes() {
        try {
            List<String> toAnswer = new ArrayList<>();
            Map<String, String> providerIds = new ConcurrentHashMap<>();
            for (String requestId : requestedAt.keySet()) {
                if (submitted.contains(requestId)) {
                    retryUnjudged(requestId);
                    continue;
                }
                for (OutcomeLog.Event event : e2e.outcomes().events(requestId, e2e.topics().sent.name())) {
                    if (event.value() instanceof VerificationSent sent) {
                        toAnswer.add(requestId);
                        providerIds.put(requestId, sent.getProviderRequestId());
                    }
                }
            }
            if (toAnswer.isEmpty()) {
                return;
            }
            Map<String, String> outbox = e2e.sandbox().codesByProviderRequestId();
            for (String requestId : toAnswer) {
                String code = outbox.get(providerIds.get(requestId));
                if (code != null && submitted.add(requestId)) {
                    codes.put(requestId, code);
                    submittedAt.put(requestId, System.currentTimeMillis());
                    e2e.inputs().send(Inputs.submission(requestId, requestId + "-s1", code));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("load {}: cannot answer codes: {}", name, e.toString());
        }
    }

    /** A check E-goi could not judge is answered CodeRejected(FAILED): the user types the code once more. */
    private void retryUnjudged(String requestId) {
        if (retried.contains(requestId) || !e2e.outcomes().terminals(requestId).isEmpty()) {
            return;
        }
        for (OutcomeLog.Event e : e2e.outcomes().events(requestId, e2e.topics().codeRejected.name())) {
            if (e.value() instanceof io.egoiverify.events.CodeRejected r
                    && r.getReason() == io.egoiverify.events.RejectReason.FAILED && retried.add(requestId)) {
                String code = codes.get(requestId);
                submittedAt.put(requestId, System.currentTimeMillis());
                e2e.inputs().send(Inputs.submission(requestId, requestId + "-s2", code));
                return;
            }
        }
    }

    public int produced() {
        return produced.get();
    }

    public boolean allProduced() {
        return produced.get() >= count;
    }

    public int withOutcome(String topic) {
        return (int) requestedAt.keySet().stream()
                .filter(id -> !e2e.outcomes().events(id, topic).isEmpty()).count();
    }

    /** Requests produced with neither {@code VerificationSent} nor a terminal outcome yet: commands in the pipeline. */
    public int inFlight() {
        return (int) requestedAt.keySet().stream()
                .filter(id -> e2e.outcomes().events(id, e2e.topics().sent.name()).isEmpty()
                        && e2e.outcomes().terminals(id).isEmpty()).count();
    }

    public boolean allTerminal() {
        return allProduced() && requestedAt.keySet().stream().allMatch(id -> !e2e.outcomes().terminals(id).isEmpty());
    }

    public Map<String, Long> requestedAt() {
        return Map.copyOf(requestedAt);
    }

    public Map<String, String> phoneByRequest() {
        return Map.copyOf(phoneByRequest);
    }

    public String name() {
        return name;
    }

    public long startedAt() {
        return startedAt;
    }

    /** Stops producing (leaving what was produced to finish). */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        e2e.inputs().flush();
    }

    /** When the simulated user submitted each code (epoch millis). */
    public Map<String, Long> submittedAt() {
        return Map.copyOf(submittedAt);
    }
}
