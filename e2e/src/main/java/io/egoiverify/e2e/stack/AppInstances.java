package io.egoiverify.e2e.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * The stack's processes that run the application jar: the E-goi sandbox, the lifecycle instances
 * ({@code run --role state}) and the worker instances ({@code run --role worker}); started, stopped gracefully, killed
 * (SIGKILL) and scaled.
 */
final class AppInstances {
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final StackConfig config;
    private final AppLauncher apps;
    private final ProcessNames names;
    private final StackReadiness readiness;

    AppInstances(StackConfig config, AppLauncher apps, ProcessNames names, StackReadiness readiness) {
        this.config = config;
        this.apps = apps;
        this.names = names;
        this.readiness = readiness;
    }

    void startSandbox() {
        ManagedProcess sandbox = readiness.process("sandbox");
        if (!sandbox.alive()) {
            Map<String, String> settings = new TreeMap<>();
            settings.put("sandbox.host", StackConfig.HOST);
            settings.put("sandbox.port", Integer.toString(config.ports().sandbox()));
            settings.put("sandbox.api-key", LocalStack.SANDBOX_API_KEY);
            settings.put("ops.enabled", "false");
            apps.start(sandbox, List.of("sandbox"), settings);
        }
        readiness.awaitReady("sandbox", START_TIMEOUT);
    }

    void startLifecycle(int index, boolean await) {
        start(ProcessNames.lifecycle(index), "state", config.ports().lifecycleBase() + index, await);
    }

    void startWorker(int index, boolean await) {
        start(ProcessNames.worker(index), "worker", config.ports().workerBase() + index, await);
    }

    private void start(String name, String role, int opsPort, boolean await) {
        start(name, role, opsPort, Map.of(), await);
    }

    /** An instance whose settings are the stack's with {@code overrides} on top. */
    void start(String name, String role, int opsPort, Map<String, String> overrides, boolean await) {
        ManagedProcess process = readiness.process(name);
        if (!process.alive()) {
            Map<String, String> settings = apps.appSettings(name, opsPort);
            settings.putAll(overrides);
            apps.start(process, List.of("run", "--role", role), settings);
        }
        if (await) {
            readiness.awaitReady(name, START_TIMEOUT);
        }
    }

    void stopLifecycle(int index) {
        readiness.process(ProcessNames.lifecycle(index)).stop(STOP_GRACE);
    }

    void stopWorker(int index) {
        readiness.process(ProcessNames.worker(index)).stop(STOP_GRACE);
    }

    void killLifecycle(int index) {
        readiness.process(ProcessNames.lifecycle(index)).kill();
    }

    void killWorker(int index) {
        readiness.process(ProcessNames.worker(index)).kill();
    }

    /** Starts or stops (gracefully, highest index first) instances until the counts are reached. */
    void scale(int lifecycles, int workers) {
        scaleRole("lifecycle-", lifecycles, i -> startLifecycle(i, false), this::stopLifecycle);
        scaleRole("worker-", workers, i -> startWorker(i, false), this::stopWorker);
        for (int i = 1; i <= lifecycles; i++) {
            readiness.awaitReady(ProcessNames.lifecycle(i), START_TIMEOUT);
        }
        for (int i = 1; i <= workers; i++) {
            readiness.awaitReady(ProcessNames.worker(i), START_TIMEOUT);
        }
    }

    private void scaleRole(String prefix, int target, IntConsumer start, IntConsumer stop) {
        for (int i = 1; i <= target; i++) {
            start.accept(i);
        }
        names.started().stream().filter(n -> n.startsWith(prefix))
                .map(n -> Integer.parseInt(n.substring(prefix.length()))).filter(i -> i > target)
                .sorted(Comparator.reverseOrder()).toList().forEach(stop::accept);
    }

    /** Every process this stack started, applications first and the broker last, stopped gracefully. */
    List<String> stopAll() {
        List<String> order = new ArrayList<>(names.started());
        order.sort(Comparator.comparingInt(ProcessNames::stopRank));
        List<String> stopped = new ArrayList<>();
        for (String name : order) {
            if (readiness.process(name).stop(STOP_GRACE)) {
                stopped.add(name);
            }
        }
        return stopped;
    }
}
