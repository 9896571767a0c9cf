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
        long t0 = System.nanoTime();
        seq.run();
        seq.run();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(done).containsExactly("first", "last");
        assertThat(ms).as("the hanging step got its 400 ms share, not more").isLessThan(1_500);
    }
}
