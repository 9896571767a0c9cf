package io.egoiverify.e2e.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.egoiverify.e2e.client.OutcomeLog;
import io.egoiverify.e2e.client.SandboxClient;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.schemas.topics.Topics;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an E-goi storm did to the verifications of its load, from the outcome topics (read_committed) and the sandbox's
 * outbox and counters.
 *
 * @param failures              failed verifications by reason and detail (ids shortened)
 * @param smsForFailed          verifications that ended failed although an SMS went out for them
 * @param duplicateSms          SMS beyond the first per verification (each verification has its own number)
 * @param hops                  per hop (input → command, command → E-goi call, the call, result → outcome, outcome →
 *                              visible), from the internal topics' timestamps
 * @param failedPastTheOutage   (outage) failed verifications whose send deadline lay beyond the outage's end
 * @param workerMetrics         sums over the workers' {@code /metrics} (breaker calls not permitted, retries by cause)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record StormResult(String scenario, String faults, int requested, int verified, int expired, int failed,
                   int cancelled, int open, double verifiedPercent, Map<String, Integer> failures, int smsForFailed,
                   int duplicateSms, int sendCalls, int validateCalls, int statusCalls, Percentiles requestToSent,
                   Percentiles submitToVerified, Map<String, Percentiles> hops, Long outageStart, Long outageEnd,
                   Integer failedPastTheOutage, Map<String, Double> workerMetrics, double seconds) {

    static StormResult of(String scenario, String faults, LoadStep step, StepResult r, OutcomeLog log, Topics topics,
                          SandboxClient sandbox, long[] outage, long sendDeadlineMillis, Map<String, Double> metrics,
                          double seconds) {
        Map<String, Integer> sms = sandbox.smsByNumber();
        Map<String, Integer> failures = new TreeMap<>();
        int smsForFailed = 0;
        int duplicates = 0;
        int failedPast = 0;
        Map<String, Long> requestedAt = step.requestedAt();
        for (Map.Entry<String, String> flow : step.phones().entrySet()) {
            String id = flow.getKey();
            int count = sms.getOrDefault(SandboxClient.egoiForm(flow.getValue()), 0);
            duplicates += Math.max(0, count - 1);
            for (OutcomeLog.Event e : log.terminals(id)) {
                if (e.value() instanceof VerificationFailed f) {
                    failures.merge(f.getReason() + ": " + f.getDetail().replaceAll("[0-9a-f]{8,}", "…"), 1,
                            Integer::sum);
                    if (count > 0) {
                        smsForFailed++;
                    }
                    if (outage != null && requestedAt.get(id) + sendDeadlineMillis > outage[1]) {
                        failedPast++;
                    }
                    break;
                }
            }
        }
        int calls = r.requested();
        return new StormResult(scenario, faults, calls, r.verified(), r.expired(), r.failed(), r.cancelled(), r.open(),
                calls == 0 ? 0 : Math.round(r.verified() * 10000.0 / calls) / 100.0, failures, smsForFailed,
                duplicates, sum(sandbox.sendCallsByNumber()), sum(sandbox.validateCallsByProviderRequestId()),
                sum(sandbox.statusCallsByProviderRequestId()), r.requestToSentMinusProvider(),
                r.submitToVerifiedMinusProvider(), r.hops(), outage == null ? null : outage[0],
                outage == null ? null : outage[1], outage == null ? null : failedPast, metrics, seconds);
    }

    private static int sum(Map<String, Integer> m) {
        return m.values().stream().mapToInt(Integer::intValue).sum();
    }
}
