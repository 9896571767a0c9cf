package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.FailureReason;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lifecycle's wall clock stepping forward (a VM resumed, NTP stepping it): every deadline is an instant on that
 * clock, so everything becomes due at once. (TopologyTestDriver's clock cannot step back: that side is in
 * DeadlineAlarmTest and ClockSkewTest.)
 */
@Timeout(60)
class ClockStepTopologyTest {
    private static final LifecycleConfig CONFIG = LifecycleConfig.defaults();
    private final List<Long> expiryLags = new CopyOnWriteArrayList<>();
    private final TopologyFixture f = new TopologyFixture(CONFIG, false, AbuseMetrics.NONE, expiryLags::add);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aStepForwardOfAnHourEndsEveryLiveVerificationAtOnceEachExactlyOnce() {
        f.request("sending");
        f.command(); // never answered
        f.request("sent");
        f.result(f.command(), CommandStatus.SENT);
        f.request("checking");
        f.result(f.command(), CommandStatus.SENT);
        f.submit("checking", "s1", "123456");
        f.command(); // the check, never answered
        assertThat(f.sent.readValuesToList()).hasSize(2);

        f.advance(Duration.ofHours(1));

        List<KeyValue<String, VerificationFailed>> failed = f.failed.readKeyValuesToList();
        assertThat(failed).extracting(kv -> kv.key).containsExactly("sending");
        assertThat(failed.get(0).value.getReason()).isEqualTo(FailureReason.PROVIDER_UNAVAILABLE);
        assertThat(f.expired.readKeyValuesToList()).extracting(kv -> kv.key)
                .containsExactlyInAnyOrder("sent", "checking");
        // Visible as expiry lag: each expired about an hour after its deadline on this clock.
        assertThat(expiryLags).hasSize(2).allSatisfy(lag -> assertThat(lag).isGreaterThan(58 * 60_000L));
        for (String id : List.of("sending", "sent", "checking")) {
            assertThat(f.verifications().get(id).status().terminal()).as(id).isTrue();
        }

        f.advance(Duration.ofHours(1)); // the clock corrected forward again, or just time: nothing more ends
        assertThat(f.failed.isEmpty()).isTrue();
        assertThat(f.expired.isEmpty()).isTrue();
    }
}
