package io.egoiverify.e2e.stack;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the stack's processes are up: each process's probe (the broker's log line and port, the registry's and the
 * sandbox's HTTP answers, the applications' {@code /health/ready}), a status table, and bounded waits on them.
 */
final class StackReadiness {
    private static final Logger LOG = LoggerFactory.getLogger(StackReadiness.class);

    private final StackConfig config;
    private final KafkaBrokerProcess broker;
    private final ProcessNames names;

    StackReadiness(StackConfig config, KafkaBrokerProcess broker, ProcessNames names) {
        this.config = config;
        this.broker = broker;
        this.names = names;
    }

    ManagedProcess process(String name) {
        return new ManagedProcess(name, config.stackDir());
    }

    Probe probe(String name) {
        return name.equals("broker") ? broker.readiness() : Probe.forProcess(name, config.ports());
    }

    boolean isReady(String name) {
        return process(name).alive() && probe(name).ready();
    }

    /** One line per expected process: name, PID, alive, ready, log. */
    List<LocalStack.ProcessStatus> status() {
        List<LocalStack.ProcessStatus> out = new ArrayList<>();
        for (String name : names.expected()) {
            ManagedProcess process = process(name);
            Optional<Long> pid = process.pid();
            boolean ready = pid.isPresent() && probe(name).ready();
            out.add(new LocalStack.ProcessStatus(name, pid.orElse(null), pid.isPresent(), ready, process.logFile()));
        }
        return out;
    }

    /** Waits until {@code name} is ready; fails fast, with its log tail, if the process exits. */
    void awaitReady(String name, Duration timeout) {
        ManagedProcess process = process(name);
        Probe probe = probe(name);
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (!process.alive()) {
                throw new IllegalStateException(name + " exited during start; log " + process.logFile() + ":\n"
                        + process.tail(40));
            }
            if (probe.ready()) {
                LOG.info("{} ready", name);
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(name + " not ready within " + timeout + "; log "
                        + process.logFile() + ":\n" + process.tail(40));
            }
            pause(200);
        }
    }

    /**
     * Waits until every process is ready at the same moment: each instance that joins makes the others rebalance, so
     * one being ready says little about the rest.
     */
    void awaitAllReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<LocalStack.ProcessStatus> last = status();
        while (!last.stream().allMatch(p -> p.alive() && p.ready())) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("not all ready within " + timeout + ": " + last.stream()
                        .filter(p -> !(p.alive() && p.ready())).map(LocalStack.ProcessStatus::name).toList());
            }
            pause(250);
            last = status();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // polling probes, not waiting for Kafka
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
