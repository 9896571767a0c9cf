package io.egoiverify.e2e.bench;

import io.egoiverify.e2e.stack.LocalStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time and resident memory of processes, from /proc (Linux). CPU is reported as the share of one core over a
 * window (100 % = one core busy), memory as the current and peak resident set.
 */
final class ProcessSampler {
    /** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux. */
    private static final double TICKS_PER_SECOND = 100.0;

    record Usage(double cpuPercentOfOneCore, long rssMb, long peakRssMb) {
    }

    private final Map<String, Long> pids;
    private Map<String, Long> startTicks = Map.of();
    private long startNanos;

    ProcessSampler(Map<String, Long> pids) {
        this.pids = Map.copyOf(pids);
    }

    /** The running processes of {@code stack} by name, and this JVM as {@code benchmark-driver}. */
    static Map<String, Long> stackPids(LocalStack stack) {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (LocalStack.ProcessStatus s : stack.status()) {
            if (s.pid() != null) {
                pids.put(s.name(), s.pid());
            }
        }
        pids.put("benchmark-driver", ProcessHandle.current().pid());
        return pids;
    }

    void start() {
        startTicks = ticks();
        startNanos = System.nanoTime();
    }

    Map<String, Usage> stop() {
        Map<String, Long> end = ticks();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Usage> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            Long before = startTicks.get(e.getKey());
            Long after = end.get(e.getKey());
            double cpu = before == null || after == null || seconds <= 0 ? -1
                    : Math.round((after - before) / TICKS_PER_SECOND / seconds * 1000) / 10.0;
            out.put(e.getKey(), new Usage(cpu, statusKb(e.getValue(), "VmRSS:") / 1024,
                    statusKb(e.getValue(), "VmHWM:") / 1024));
        }
        return out;
    }

    private Map<String, Long> ticks() {
        Map<String, Long> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                out.put(name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
            } catch (IOException | RuntimeException e) {
                // the process is gone: no figure
            }
        });
        return out;
    }

    private static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }
}
