package io.egoiverify.worker.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class CoordinatorLoadingTest {
    /** What the 4.3 classic consumer throws from poll when SyncGroup is answered COORDINATOR_LOAD_IN_PROGRESS. */
    private static final KafkaException LOADING = new KafkaException("Unexpected error from SyncGroup: "
            + Errors.COORDINATOR_LOAD_IN_PROGRESS.message());

    @Test
    void pollsAgainWhileTheCoordinatorLoadsForAtMostAMinuteInARow() {
        CoordinatorLoading loading = new CoordinatorLoading();
        long t0 = 1_000_000_000L;

        assertThat(loading.pollAgain(LOADING, t0)).isTrue();
        assertThat(loading.pollAgain(LOADING, t0 + Duration.ofSeconds(30).toNanos())).isTrue();
        assertThat(loading.pollAgain(LOADING, t0 + Duration.ofSeconds(60).toNanos())).isTrue();
        assertThat(loading.inARow()).isEqualTo(3);
        assertThat(loading.pollAgain(LOADING, t0 + Duration.ofSeconds(61).toNanos())).as("a minute in a row").isFalse();
    }

    @Test
    void aPollThatReturnsStartsTheMinuteOver() {
        CoordinatorLoading loading = new CoordinatorLoading();
        long t0 = 1_000_000_000L;
        assertThat(loading.pollAgain(LOADING, t0)).isTrue();
        loading.polled();

        long later = t0 + Duration.ofMinutes(5).toNanos();
        assertThat(loading.pollAgain(LOADING, later)).isTrue();
        assertThat(loading.inARow()).isEqualTo(1);
        assertThat(loading.pollAgain(LOADING, later + Duration.ofSeconds(59).toNanos())).isTrue();
    }

    @Test
    void anyOtherErrorStillStopsTheWorker() {
        CoordinatorLoading loading = new CoordinatorLoading();
        assertThat(loading.pollAgain(new KafkaException("Unexpected error from SyncGroup: "
                + Errors.UNKNOWN_SERVER_ERROR.message()), 0)).isFalse();
        // a typed error with the same text is the client's own classification, not the gap this covers
        assertThat(loading.pollAgain(new GroupAuthorizationException(Errors.COORDINATOR_LOAD_IN_PROGRESS.message()), 0))
                .isFalse();
        assertThat(loading.pollAgain(new KafkaException((String) null), 0)).isFalse();
        assertThat(loading.inARow()).isZero();
    }
}
