package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.events.FailureReason;
import io.egoiverify.events.VerificationFailed;
import io.egoiverify.events.VerificationSent;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.lifecycle.Fixtures;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
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

    /**
     * A producer's clock shows in its records' timestamps (CreateTime). The lifecycle decides on its own wall clock:
     * the record timestamp only orders records within a task (InputTimestamps keeps it valid), and every record the
     * lifecycle writes carries its own clock's instant.
     */
    @Test
    void recordTimestampsOfProducersWithSkewedClocksDecideNothing() {
        f.requested.pipeInput("past", Fixtures.request("past", f.now()).build(),
                f.now().minus(Duration.ofDays(1)));
        f.requested.pipeInput("ahead", Fixtures.request("ahead", f.now()).build(),
                f.now().plus(Duration.ofMinutes(10)));
        Instant admitted = f.now();
        for (TestRecord<String, VerificationCommand> c : f.commands.readRecordsToList()) {
            assertThat(c.getValue().getIssuedAt()).isEqualTo(admitted);
            assertThat(c.getRecordTime()).isEqualTo(admitted);
            f.advance(Duration.ofMillis(100));
            VerificationCommandResult r = Fixtures.result(c.getKey(),
                    c.getValue().getCommandId(), CommandStatus.SENT, f.now());
            f.results.pipeInput(c.getKey(), r, f.now().plus(Duration.ofMinutes(30))); // a worker's clock ahead
        }
        List<TestRecord<String, VerificationSent>> sent = f.sent.readRecordsToList();
        assertThat(sent).hasSize(2).allSatisfy(rec -> {
            assertThat(rec.getRecordTime()).isEqualTo(rec.getValue().getOccurredAt());
            assertThat(rec.getValue().getExpiresAt()).isEqualTo(rec.getValue().getOccurredAt().plusSeconds(60));
        });
        f.advance(Duration.ofSeconds(59));
        assertThat(f.expired.isEmpty()).isTrue();
        f.advance(Duration.ofSeconds(1).plus(CONFIG.punctuationInterval())); // the alarm's grid: one step late at most
        assertThat(f.expired.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("past", "ahead");
    }
}
