package io.egoiverify.e2e.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** p50/p99/max of a sample of millisecond figures; -1 when the sample is empty. */
record Percentiles(int count, long p50, long p90, long p99, long max) {

    static Percentiles of(List<Long> values) {
        if (values.isEmpty()) {
            return new Percentiles(0, -1, -1, -1, -1);
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return new Percentiles(sorted.size(), at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99),
                sorted.get(sorted.size() - 1));
    }

    private static long at(List<Long> sorted, double q) {
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)));
    }

    @Override
    public String toString() {
        return count == 0 ? "n/a" : p50 + " / " + p99 + " ms";
    }
}
