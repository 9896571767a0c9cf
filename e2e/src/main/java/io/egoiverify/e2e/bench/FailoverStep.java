package io.egoiverify.e2e.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A load step at the first offered rate during which one instance is killed with SIGKILL ({@code --kill}, default
 * {@code lifecycle-1}) {@code --kill-at-seconds} into the load, and optionally started again
 * {@code --restart-after-seconds} later (as a container runtime would; -1: never). Figures: request→sent minus the
 * call for the requests produced in the fault window (from the kill to {@code --window-seconds} after it), for every
 * request from the kill to the end of the load (a later stall, such as a restarted instance taking tasks back and
 * restoring them, falls outside the window), and per second of request time relative to the kill.
 */
final class FailoverStep {
    /** Requests produced in one second (relative to the kill) and their request→sent figures. */
    record Second(int second, int requested, int sent, long p50, long p99, long max) {
    }

    record Result(StepResult step, String killed, long killedAtSecond, int restartAfterSeconds, int windowSeconds,
                  int requestedInWindow, int sentInWindow, Percentiles window, Percentiles beforeKill,
                  Percentiles afterKill, List<Second> perSecond, String loadAverageAtKill, long killedAtEpochMs,
                  List<FailoverTimeline.Event> timeline) {
        /** The second after the window whose requests had the highest p99, or null if the load ended with it. */
        Second slowestAfterWindow() {
            Second slowest = null;
            for (Second s : perSecond) {
                if (s.second() >= windowSeconds && (slowest == null || s.p99() > slowest.p99())) {
                    slowest = s;
                }
            }
            return slowest;
        }
    }

    private FailoverStep() {
    }

    static Result run(LatencyMain.Session s, Map<String, String> extra, String run) throws Exception {
        BenchmarkMain.BenchOptions o = s.options();
        String victim = extra.getOrDefault("kill", "lifecycle-1");
        int killAt = Integer.parseInt(extra.getOrDefault("kill-at-seconds", "15"));
        int restartAfter = Integer.parseInt(extra.getOrDefault("restart-after-seconds", "-1"));
        int window = Integer.parseInt(extra.getOrDefault("window-seconds", "10"));
        int rate = o.rates().get(0);
        int index = Integer.parseInt(victim.substring(victim.lastIndexOf('-') + 1));
        boolean lifecycle = victim.startsWith("lifecycle-");
        s.sandbox().reset();
        BenchmarkMain.latency(s.sandbox(), o.providerLatencyMs());
        long[] killedAt = {0};
        String[] load = {""};
        Thread fault = new Thread(() -> {
            try {
                Thread.sleep(killAt * 1000L); // the fault's moment in the load, not a wait for Kafka
                load[0] = LatencyMain.loadAverage();
                killedAt[0] = System.currentTimeMillis();
                if (lifecycle) {
                    s.stack().killLifecycle(index);
                } else {
                    s.stack().killWorker(index);
                }
                System.out.printf("  killed %s (SIGKILL) at %s%n", victim, Instant.ofEpochMilli(killedAt[0]));
                if (restartAfter >= 0) {
                    Thread.sleep(restartAfter * 1000L);
                    if (lifecycle) {
                        s.stack().startLifecycle(index, false);
                    } else {
                        s.stack().startWorker(index, false);
                    }
                    System.out.printf("  started %s again%n", victim);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-fault");
        fault.setDaemon(true);
        String label = "failover-" + victim;
        System.out.printf("step %s: %d/s for %ds, kill -9 at %ds%n", label, rate, o.stepDuration().toSeconds(),
                killAt);
        LoadStep step = new LoadStep(label, run + "-" + label, rate, o.stepDuration(), o.expireEvery(),
                o.ttlSeconds(), s.inputs(), s.log(), s.topics(), s.sandbox(), s.phones()::getAndIncrement);
        // CPU and memory while the load is offered, as the other steps report them; the killed process has no
        // figure (its restart, a new process, is not sampled).
        ProcessSampler sampler = new ProcessSampler(ProcessSampler.stackPids(s.stack()));
        Map<String, ProcessSampler.Usage> usage = new LinkedHashMap<>();
        sampler.start();
        fault.start();
        StepResult r = step.run(Duration.ofSeconds(o.ttlSeconds() + 40L), () -> usage.putAll(sampler.stop()));
        r = r.with(usage, r.broker(), r.egoiCallsPerVerification());
        fault.join();
        Map<String, Long> requested = step.requestedAt();
        Map<String, Long> toSent = step.requestToSentById();
        long kill = killedAt[0];
        List<Long> inWindow = new ArrayList<>();
        List<Long> before = new ArrayList<>();
        List<Long> after = new ArrayList<>();
        int requestedInWindow = 0;
        Map<Integer, List<Long>> bySecond = new TreeMap<>();
        Map<Integer, Integer> requestedBySecond = new TreeMap<>();
        for (Map.Entry<String, Long> e : requested.entrySet()) {
            long t = e.getValue() - kill;
            Long latency = toSent.get(e.getKey());
            int second = (int) Math.floorDiv(t, 1000L);
            requestedBySecond.merge(second, 1, Integer::sum);
            if (latency != null) {
                bySecond.computeIfAbsent(second, k -> new ArrayList<>()).add(latency);
            }
            if (t >= 0 && latency != null) {
                after.add(latency);
            }
            if (t >= 0 && t < window * 1000L) {
                requestedInWindow++;
                if (latency != null) {
                    inWindow.add(latency);
                }
            } else if (t < 0 && t >= -5_000 && latency != null) {
                before.add(latency);
            }
        }
        List<Second> perSecond = new ArrayList<>();
        requestedBySecond.forEach((sec, n) -> {
            Percentiles p = Percentiles.of(bySecond.getOrDefault(sec, List.of()));
            perSecond.add(new Second(sec, n, p.count(), p.p50(), p.p99(), p.max()));
        });
        return new Result(r, victim, killAt, restartAfter, window, requestedInWindow, inWindow.size(),
                Percentiles.of(inWindow), Percentiles.of(before), Percentiles.of(after), perSecond, load[0], kill,
                FailoverTimeline.read(s.stack().config().stackDir().resolve("logs"), victim, Instant.ofEpochMilli(kill),
                        ZoneId.systemDefault()));
    }

    /** For the JSON report. */
    static Map<String, Object> summary(Result f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("killed", f.killed());
        m.put("killedAtSecondOfLoad", f.killedAtSecond());
        m.put("killedAt", Instant.ofEpochMilli(f.killedAtEpochMs()).toString());
        m.put("restartAfterSeconds", f.restartAfterSeconds());
        m.put("windowSeconds", f.windowSeconds());
        m.put("requestedInWindow", f.requestedInWindow());
        m.put("sentInWindow", f.sentInWindow());
        m.put("requestToSentMinusProviderInWindow", f.window());
        m.put("requestToSentMinusProviderInTheFiveSecondsBefore", f.beforeKill());
        m.put("requestToSentMinusProviderFromTheKillToTheEnd", f.afterKill());
        Second slowest = f.slowestAfterWindow();
        if (slowest != null) {
            m.put("slowestSecondAfterWindow", slowest);
        }
        m.put("loadAverageAtKill", f.loadAverageAtKill());
        m.put("timelineFromTheStacksLogs", f.timeline());
        return m;
    }
}
