package io.egoiverify.e2e.bench;

import java.util.Map;

/**
 * The figures of one benchmark step. Latencies are client-observed (request produced → outcome read
 * {@code read_committed}) minus the E-goi call's own duration; {@code flowsPerSecond} counts the verifications
 * completed per second in the steady state (from the pipeline filling up, at most 2 s, to the end of production);
 * {@code broker} is what the stack asked of the broker while the load was offered.
 */
record StepResult(String label, int offeredPerSecond, int requested, double producingSeconds, int verified,
                  int expired, int failed, int cancelled, int open, double flowsPerSecond,
                  Percentiles requestToSentMinusProvider, Percentiles submitToVerifiedMinusProvider,
                  Percentiles expiryLag, Map<String, Percentiles> hops, Map<String, ProcessSampler.Usage> processes,
                  double egoiCallsPerVerification, BrokerLoadSampler.BrokerLoad broker) {

    StepResult with(Map<String, ProcessSampler.Usage> usage, BrokerLoadSampler.BrokerLoad brokerLoad,
                    double callsPerVerification) {
        return new StepResult(label, offeredPerSecond, requested, producingSeconds, verified, expired, failed,
                cancelled, open, flowsPerSecond, requestToSentMinusProvider, submitToVerifiedMinusProvider, expiryLag,
                hops, usage, callsPerVerification, brokerLoad);
    }

    /**
     * Kept up: nothing left open or failed once the step drained, and steady-state verified flows per second within
     * 15 % of the answered offered rate.
     */
    boolean sustained(double answeredFraction) {
        return open == 0 && failed == 0 && flowsPerSecond >= 0.85 * offeredPerSecond * answeredFraction;
    }
}
