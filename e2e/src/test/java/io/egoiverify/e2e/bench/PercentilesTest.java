package io.egoiverify.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void nearestRankOfAHundredValues() {
        Percentiles p = Percentiles.of(LongStream.rangeClosed(1, 100).boxed().toList());
        assertThat(p).isEqualTo(new Percentiles(100, 50, 90, 99, 100));
    }

    @Test
    void anEmptySampleSaysSo() {
        assertThat(Percentiles.of(List.of()).p99()).isEqualTo(-1);
        assertThat(Percentiles.of(List.of()).toString()).isEqualTo("n/a");
    }
}
