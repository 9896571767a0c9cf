package io.egoiverify.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.e2e.client.Inputs;
import io.egoiverify.e2e.stack.LocalStack;
import io.egoiverify.e2e.support.E2eStack;
import io.egoiverify.e2e.support.E2eStackExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The benchmark's broker figures come from the real broker process of the stack, attached to as the benchmark does. */
@ExtendWith(E2eStackExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BrokerLoadSamplerIT {

    @Test
    void readsTheRequestsOneVerificationCausesFromTheBrokersOwnMeters(E2eStack e2e) {
        Long brokerPid = e2e.stack().status().stream().filter(s -> s.name().equals("broker"))
                .map(LocalStack.ProcessStatus::pid).findFirst().orElseThrow();
        String id = "broker-load-" + e2e.runId();
        BrokerLoadSampler.BrokerLoad load;
        try (BrokerLoadSampler sampler = BrokerLoadSampler.attach(brokerPid)) {
            sampler.start();
            e2e.inputs().send(Inputs.request(id, e2e.nextPhoneNumber()).build());
            e2e.inputs().flush();
            await("VerificationSent").atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !e2e.outcomes().events(id, e2e.topics().sent.name()).isEmpty());
            load = sampler.stop();
        }

        assertThat(load.unavailable()).isNull();
        // the request itself, the lifecycle's and the worker's transactions, everyone's read_committed fetches
        assertThat(load.perSecond("Produce")).isPositive();
        assertThat(load.perSecond("EndTxn")).isPositive();
        assertThat(load.perSecond("Fetch")).isPositive();
        assertThat(load.totalRequestsPerSecond()).isGreaterThan(load.perSecond("Fetch"));
        assertThat(load.partitionReadsPerSecond()).isPositive();
        assertThat(load.messagesInPerSecond()).isPositive();
    }
}
