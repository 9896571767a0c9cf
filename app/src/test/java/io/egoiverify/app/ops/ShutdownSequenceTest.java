package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ShutdownSequenceTest {

    @Test
    void runsStepsInOrderOnceAndAbandonsOneThatHangs() {
        List<String> done = new CopyOnWriteArrayList<>();
        CountDownLatch never = new CountDownLatch(1);
        ShutdownSequence seq = new ShutdownSequence(Duration.ofSeconds(2))
                .then("first", 0.1, () -> done.add("first"))
                .then("hangs", 0.2, never::await)
                .then("fails", 0.1, () -> {
                    throw new IllegalStateException("boom");
                })
                .then("last", 0.1, () -> done.add("last"));
        seq.run();      // returns although "hangs" never does: it is abandoned after its share of the bound
        seq.run();      // idempotent
        assertThat(done).containsExactly("first", "last");
    }
}
