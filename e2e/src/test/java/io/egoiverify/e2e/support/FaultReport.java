package io.egoiverify.e2e.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.e2e.client.SandboxClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a fault scenario did to the verifications of its load, computed from the outcome topics (read_committed) and the
 * sandbox's call counters.
 *
 * @param lost                   accepted requestIds without a terminal outcome
 * @param duplicateTerminals     requestIds with more than one terminal outcome
 * @param afterTerminal          non-CodeRejected outcomes published after a requestId's terminal outcome
 * @param duplicateSends         SMS beyond the first (the sandbox outbox), summed over the load's numbers
 * @param verified               verifications that ended verified
 * @param smsForFailed           verifications that ended failed although an SMS went out for them (the outbox)
 * @param extraSendCalls         E-goi send calls beyond the first, including retries of calls that certainly had no
 *                               effect (429, connection refused)
 * @param duplicateSendIds       a few requestIds that got a second SMS, for diagnosis
 * @param inFlightAtFault        requests without VerificationSent nor a terminal outcome when the fault hit
 * @param firstRequestedAt        the earliest request's time (epoch millis): every send deadline lies beyond it
 * @param recoveryMillis         longest wait, counted from the fault, for a request's first outcome or a submission's
 *                               verdict, over the work that was pending at or arrived after the fault
 */
public record FaultReport(String scenario, int requested, int lost, int duplicateTerminals, int afterTerminal,
                          int duplicateSends, int verified, int smsForFailed, int extraSendCalls,
                          List<String> duplicateSendIds,
                          int inFlightAtFault, long recoveryMillis, String slowestFlow,
                          Map<String, Integer> terminalsByTopic, Map<String, Integer> failuresByReason,
                          long p50RequestToSentMillis,
                          long p99RequestToSentMillis, long durationMillis, long firstRequestedAt) {
    private static final Logger LOG = LoggerFactory.getLogger(FaultReport.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static FaultReport of(String scenario, LoadRun run, E2eStack e2e, long faultAt, int inFlightAtFault) {
        OutcomeLog outcomes = e2e.outcomes();
        String sentTopic = e2e.topics().sent.name();
        String rejectedTopic = e2e.topics().codeRejected.name();
        Map<String, Integer> sendCalls = e2e.sandbox().sendCallsByNumber();
        Map<String, Integer> sms = e2e.sandbox().smsByNumber();
        int extraCalls = 0;
        List<String> duplicateIds = new ArrayList<>();
        java.util.Set<String> outcomeTopics = java.util.Set.copyOf(e2e.topics().names.outcomes());
        Map<String, Integer> byTopic = new TreeMap<>();
        Map<String, Integer> failures = new TreeMap<>();
        List<Long> requestToSent = new ArrayList<>();
        int lost = 0;
        int duplicates = 0;
        int afterTerminal = 0;
        int duplicateSends = 0;
        int verified = 0;
        int smsForFailed = 0;
        long recovery = 0;
        Map<String, Long> submittedAt = run.submittedAt();
        Map<String, Long> waits = new java.util.HashMap<>();
        for (Map.Entry<String, Long> r : run.requestedAt().entrySet()) {
            String id = r.getKey();
            long requested = r.getValue();
            List<OutcomeLog.Event> events = outcomes.events(id).stream()
                    .filter(e -> outcomeTopics.contains(e.topic())).toList();
            List<OutcomeLog.Event> terminals = outcomes.terminals(id);
            if (terminals.isEmpty()) {
                lost++;
            } else {
                byTopic.merge(terminals.get(0).topic(), 1, Integer::sum);
                if (terminals.get(0).value() instanceof io.egoiverify.events.VerificationFailed f) {
                    failures.merge(f.getReason() + ": " + f.getDetail().replaceAll("[0-9a-f]{8,}", "…"), 1,
                            Integer::sum);
                }
            }
            if (terminals.size() > 1) {
                duplicates++;
            }
            String number = SandboxClient.egoiForm(run.phoneByRequest().get(id));
            if (!terminals.isEmpty() && terminals.get(0).topic().equals(e2e.topics().verified.name())) {
                verified++;
            }
            if (!terminals.isEmpty() && terminals.get(0).value() instanceof io.egoiverify.events.VerificationFailed
                    && sms.getOrDefault(number, 0) > 0) {
                smsForFailed++;
            }
            boolean ended = false;
            // In the lifecycle's order: by timestamp, and within one step (outcomes of one transaction share the
            // step's timestamp) the terminal last, as the step writes it. Consumption order across topics is no
            // order: a late SENT whose code had already run out is published with its EXPIRED in one step, and a
            // reader may see the EXPIRED first.
            List<OutcomeLog.Event> ordered = events.stream()
                    .sorted(Comparator.comparingLong(OutcomeLog.Event::timestamp)
                            .thenComparing(x -> outcomes.isTerminal(x.topic()))).toList();
            for (OutcomeLog.Event e : ordered) {
                if (ended && !e.topic().equals(rejectedTopic)) {
                    afterTerminal++;
                    // for diagnosis: the order seen (consumption order across topics) with the records' timestamps
                    LOG.warn("{}: outcome after a terminal one: {}", id, events.stream()
                            .map(x -> x.topic() + "@" + (x.timestamp() - requested) + "ms").toList());
                }
                ended |= outcomes.isTerminal(e.topic());
            }
            int extraSms = Math.max(0, sms.getOrDefault(number, 0) - 1);
            duplicateSends += extraSms;
            if (extraSms > 0 && duplicateIds.size() < 10) {
                duplicateIds.add(id);
            }
            extraCalls += Math.max(0, sendCalls.getOrDefault(number, 0) - 1);
            OutcomeLog.Event first = events.stream().filter(e -> !e.topic().equals(rejectedTopic)).findFirst()
                    .orElse(null);
            if (first != null) {
                if (first.topic().equals(sentTopic)) {
                    requestToSent.add(first.timestamp() - requested);
                }
                if (first.timestamp() > faultAt) {
                    waits.put(id + " (request)", first.timestamp() - Math.max(requested, faultAt));
                }
            }
            // A submission's verdict: the first CodeRejected or terminal outcome after it (a check E-goi could not
            // judge is answered CodeRejected(FAILED); the user may try again).
            Long submitted = submittedAt.get(id);
            if (submitted != null) {
                events.stream().filter(e -> e.timestamp() >= submitted)
                        .filter(e -> e.topic().equals(rejectedTopic) || outcomes.isTerminal(e.topic())).findFirst()
                        .filter(verdict -> verdict.timestamp() > faultAt).ifPresent(verdict -> waits.put(
                                id + " (submission)", verdict.timestamp() - Math.max(submitted, faultAt)));
            }
        }
        String slowest = "";
        for (Map.Entry<String, Long> wait : waits.entrySet()) {
            if (wait.getValue() > recovery) {
                recovery = wait.getValue();
                slowest = wait.getKey();
            }
        }
        String slowestId = slowest.isEmpty() ? "" : slowest.substring(0, slowest.indexOf(' '));
        String slowestFlow = slowest.isEmpty() ? "" : slowest + ": " + outcomes.events(slowestId).stream()
                .map(e -> e.topic().substring(e.topic().lastIndexOf('.') + 1) + "@"
                        + (e.timestamp() - Math.max(faultAt == Long.MAX_VALUE ? 0 : faultAt, 0)) + "ms"
                        + (e.value() == null ? "" : " " + brief(e))).toList()
                + (submittedAt.containsKey(slowestId) ? " last submission@" + (submittedAt.get(slowestId) - faultAt)
                + "ms" : "");
        Collections.sort(requestToSent);
        return new FaultReport(scenario, run.requestedAt().size(), lost, duplicates, afterTerminal, duplicateSends,
                verified, smsForFailed, extraCalls, List.copyOf(duplicateIds), inFlightAtFault, recovery, slowestFlow, byTopic, failures, percentile(requestToSent, 0.50), percentile(requestToSent, 0.99),
                System.currentTimeMillis() - run.startedAt(),
                run.requestedAt().values().stream().mapToLong(Long::longValue).min().orElse(0));
    }

    private static String brief(OutcomeLog.Event e) {
        if (e.value() instanceof io.egoiverify.internal.VerificationCommand c) {
            return c.getAction().getClass().getSimpleName() + " " + c.getCommandId();
        }
        if (e.value() instanceof io.egoiverify.internal.VerificationCommandResult r) {
            return r.getStatus() + " " + r.getCommandId() + " calls=" + r.getProviderCalls() + " " + r.getDetail();
        }
        String text = e.value().toString();
        int reason = text.indexOf("\"reason\"");
        return reason < 0 ? "" : text.substring(reason, Math.min(text.length(), reason + 40));
    }

    private static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /** Writes {@code <dir>/<scenario>.json}. */
    public Path write(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(scenario + ".json");
            JSON.writeValue(file.toFile(), this);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One Markdown table of the run's scenarios. */
    public static void writeMarkdown(List<FaultReport> reports, Path file) {
        StringBuilder md = new StringBuilder("# Fault scenarios (e2e)\n\n| scenario | requested | verified | lost "
                + "| duplicate terminals | after terminal | duplicate SMS | SMS for a failed one | in flight at fault "
                + "| resumed after (ms) | terminals | failures |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (FaultReport r : reports) {
            md.append(String.format("| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %s | %s |%n", r.scenario(),
                    r.requested(), r.verified(), r.lost(), r.duplicateTerminals(), r.afterTerminal(),
                    r.duplicateSends(), r.smsForFailed(), r.inFlightAtFault(), r.recoveryMillis(),
                    r.terminalsByTopic(), r.failuresByReason()));
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String summary() {
        return String.format("%s: requested=%d verified=" + verified + " smsForFailed=" + smsForFailed
                        + " lost=%d duplicateTerminals=%d afterTerminal=%d duplicateSms=%d "
                        + "extraSendCalls=" + extraSendCalls + " duplicateSmsIds=" + duplicateSendIds + " "
                        + "(inFlightAtFault=%d) recovery=%dms [" + slowestFlow + "] terminals=%s failures=%s request->sent p50=%dms p99=%dms",
                scenario, requested, lost, duplicateTerminals, afterTerminal, duplicateSends, inFlightAtFault,
                recoveryMillis, terminalsByTopic, failuresByReason, p50RequestToSentMillis, p99RequestToSentMillis);
    }
}
