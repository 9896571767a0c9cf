package io.egoiverify.lifecycle.streams;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CoPartitioningTest {
    @Test
    void acceptsOnePartitionCount() {
        assertThatCode(() -> CoPartitioning.verify(Map.of("a", 6, "b", 6))).doesNotThrowAnyException();
    }

    @Test
    void refusesDifferentPartitionCounts() {
        assertThatThrownBy(() -> CoPartitioning.verify(Map.of("verification.requested", 6,
                "verification.internal.results", 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not co-partitioned")
                .hasMessageContaining("verification.internal.results=3");
    }

    @Test
    void refusesMissingTopics() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("verification.requested", 6);
        counts.put("verification.internal.commands", null);
        assertThatThrownBy(() -> CoPartitioning.verify(counts)).hasMessageContaining("topics missing")
                .hasMessageContaining("verification.internal.commands");
    }
}
