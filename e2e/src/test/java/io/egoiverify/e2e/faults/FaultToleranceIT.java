package io.egoiverify.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.e2e.stack.LocalStack;
import io.egoiverify.e2e.support.E2eStack;
import io.egoiverify.e2e.support.E2eStackExtension;
import io.egoiverify.e2e.support.FaultReport;
import io.egoiverify.e2e.support.LoadRun;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults injected into the running multi-process stack under a small load (each scenario a few hundred verifications,
 * every one to its own number, the simulated user typing the right code as soon as it is sent). Each scenario reports
 * (e2e/target/e2e-reports/&lt;scenario&gt;.json) and asserts: no accepted request without exactly one terminal outcome,
 * nothing but CodeRejected after a terminal outcome, duplicate E-goi sends at most what was in flight at the fault,
 * processing resumed within 15 s.
 */
@ExtendWith(E2eStackExtension.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
@Isolated("kills, restarts and scales the shared stack's processes and sets the sandbox's faults")
class FaultToleranceIT {
    private static final Logger LOG = LoggerFactory.getLogger(FaultToleranceIT.class);
    private static final int LOAD = 150;
    private static final int PER_SECOND = 25;
    private static final int TTL_SECONDS = 20;
    private static final Duration RESUME_BOUND = Duration.ofSeconds(15);
    /** Longest a verification can stay open: send deadline (30 s) or TTL, plus fail-over and result grace. */
    private static final Duration SETTLE = Duration.ofSeconds(75);
    /** The e2e stack's lifecycle.send-deadline. */
    private static final Duration SEND_DEADLINE = Duration.ofSeconds(30);
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    static final String NOT_PROCESSED_STORM = "{\"latencyMinMs\":50,\"latencyMaxMs\":150,\"errorRates\":{\"503\":0.2},"
            + "\"rateLimitRate\":0.1,\"retryAfterSeconds\":1}";
    static final String ANSWER_LOST_STORM = "{\"latencyMinMs\":50,\"latencyMaxMs\":150,\"errorRates\":{\"500\":0.1},"
            + "\"timeoutRate\":0.05}";

    /** This run's scenario reports, for the Markdown summary (test-class state, not a mutable static of the code). */
    private static final List<FaultReport> REPORTS = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static E2eStack e2e;
    private static LocalStack stack;

    @BeforeAll
    static void stack(E2eStack shared) {
        e2e = shared;
        stack = shared.stack();
    }

    @BeforeEach
    @AfterEach
    void fullStack() {
        e2e.sandbox().clearFaults();
        if (!stack.process("broker").alive()) {
            stack.startBroker();
        }
        for (int i = 1; i <= E2eStack.LIFECYCLES; i++) {
            stack.startLifecycle(i, true);
        }
        for (int i = 1; i <= E2eStack.WORKERS; i++) {
            stack.startWorker(i, true);
        }
        stack.stopWorker(3);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void killMinus9AWorkerMidLoad() {
        FaultReport report = scenario("kill-worker", run -> {
            stack.killWorker(1);
            return System.currentTimeMillis();
        }, () -> stack.startWorker(1, false));
        assertInvariants(report);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void killMinus9ALifecycleInstanceMidLoad() {
        FaultReport report = scenario("kill-lifecycle", run -> {
            stack.killLifecycle(1);
            return System.currentTimeMillis();
        }, () -> stack.startLifecycle(1, false));
        assertInvariants(report);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void restartTheBrokerMidLoad() {
        FaultReport report = scenario("restart-broker", run -> {
            stack.stopBroker();
            stack.startBroker();
            return System.currentTimeMillis(); // resumption is counted from the broker being back
        }, () -> { });
        assertInvariants(report);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void egoiFaultStorm() {
        FaultReport report = scenario("egoi-fault-storm", run -> {
            e2e.sandbox().faults("{\"latencyMinMs\":20,\"latencyMaxMs\":250,\"errorRates\":{\"500\":0.1,\"503\":0.1},"
                    + "\"rateLimitRate\":0.1,\"retryAfterSeconds\":1,\"timeoutRate\":0.03,\"dropRate\":0.03,"
                    + "\"malformedRate\":0.03}");
            int target = run.produced() + PER_SECOND * 4;
            await().atMost(Duration.ofSeconds(30)).until(() -> run.produced() >= Math.min(target, LOAD));
            e2e.sandbox().clearFaults();
            // Calls made during the storm end by their own timeouts: resumption is counted from the storm's end.
            return System.currentTimeMillis();
        }, () -> { });
        // No process died: every unknown outcome must have ended the verification instead of sending again.
        assertInvariants(report);
        assertThat(report.duplicateSends()).as("duplicate sends without any process dying").isZero();
    }

    /**
     * Issue 11's storm of "not processed" answers (20 % 503, 10 % 429 with Retry-After 1 s, 50-150 ms), for the whole
     * load: sends are repeated (nothing was sent), checks too; no verification may end failed, none SMS'd twice.
     * Sized for CI; the full-size run (3,000 at 300/s) is {@code e2e/storm}.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void stormOfNotProcessedAnswers() {
        e2e.sandbox().faults(NOT_PROCESSED_STORM);
        FaultReport report = scenario("storm-not-processed", run -> System.currentTimeMillis(), () -> { });
        assertInvariantsUnderAStorm(report);
        assertThat(report.duplicateSends()).as("duplicate SMS").isZero();
        assertThat(report.smsForFailed()).as("SMS for a verification that ended failed").isZero();
        assertThat(report.verified()).as("verified (>= 99 %%): %s", report.failuresByReason())
                .isGreaterThanOrEqualTo(report.requested() * 99 / 100);
    }

    /**
     * Issue 11's storm of "processed, answer lost" (10 % 500 after sending, 5 % no answer after sending): no send is
     * repeated, so no duplicate SMS; every failed verification is reported with its cause.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void stormOfAnswersLostAfterProcessing() {
        e2e.sandbox().faults(ANSWER_LOST_STORM);
        FaultReport report = scenario("storm-answer-lost", run -> System.currentTimeMillis(), () -> { });
        assertInvariantsUnderAStorm(report);
        assertThat(report.duplicateSends()).as("duplicate SMS").isZero();
        int failed = report.terminalsByTopic().getOrDefault(e2e.topics().failed.name(), 0);
        assertThat(report.failuresByReason().values().stream().mapToInt(Integer::intValue).sum())
                .as("failures reported with their cause").isEqualTo(failed);
        assertThat(report.failuresByReason().keySet()).allSatisfy(cause ->
                assertThat(cause).startsWith("PROVIDER_UNAVAILABLE: ").doesNotContain("circuit breaker"));
    }

    /**
     * Issue 11's breaker target: a 10 s E-goi outage (every call answered 503) fails no verification whose send
     * deadline lies beyond the outage: commands wait for the breaker instead of failing, and go when it closes.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aTenSecondOutageFailsNoVerificationWhoseDeadlineLiesBeyondIt() {
        long[] outage = new long[2];
        FaultReport report = scenario("egoi-outage-10s", run -> {
            outage[0] = System.currentTimeMillis();
            e2e.sandbox().faults("{\"errorRates\":{\"503\":1.0}}");
            await("the outage").pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(5)).until(() -> true);
            e2e.sandbox().clearFaults();
            outage[1] = System.currentTimeMillis();
            return outage[1]; // resumption is counted from the outage's end
        }, () -> { });
        assertInvariants(report);
        LOG.info("outage from {} to {}", outage[0], outage[1]);
        assertThat(report.firstRequestedAt()).as("every request's send deadline lies beyond the outage")
                .isGreaterThan(outage[1] - SEND_DEADLINE.toMillis());
        assertThat(report.terminalsByTopic().getOrDefault(e2e.topics().failed.name(), 0))
                .as("failed: %s", report.failuresByReason()).isZero();
        assertThat(report.duplicateSends()).as("duplicate SMS").isZero();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void poisonRecordsOnEveryInputTopic() {
        PoisonRecords poison = new PoisonRecords(e2e);
        FaultReport report = scenario("poison-records", run -> {
            long start = System.currentTimeMillis();
            poison.publish();
            return start;
        }, () -> { });
        assertInvariants(report);
        assertThat(report.duplicateSends()).as("duplicate sends without any process dying").isZero();
        await("every poison record dead-lettered").atMost(Duration.ofSeconds(30)).untilAsserted(poison::assertDeadLettered);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void workersScaledOneThreeOneDuringLoad() {
        stack.stopWorker(2);
        FaultReport report = scenario("scale-workers-1-3-1", run -> {
            long start = System.currentTimeMillis();
            stack.startWorker(2, false);
            stack.startWorker(3, false);
            int target = run.produced() + PER_SECOND * 3;
            await().atMost(Duration.ofSeconds(60)).until(() -> run.produced() >= Math.min(target, LOAD)
                    && stack.isReady(LocalStack.workerName(3)));
            stack.stopWorker(3);
            stack.stopWorker(2);
            return start;
        }, () -> stack.startWorker(2, false));
        assertInvariants(report);
        if (report.duplicateSends() > 0) {
            // CONTRACTS allows a second SMS only when a worker dies between E-goi's answer and its commit.
            LOG.warn("graceful scaling re-sent {} SMS (in flight at the fault: {}): {}", report.duplicateSends(),
                    report.inFlightAtFault(), report.duplicateSendIds());
        }
    }

    // ---------------------------------------------------------------- scenario driver

    /** The fault: runs once the load is flowing, returns the instant resumption is measured from. */
    @FunctionalInterface
    interface Fault {
        long inject(LoadRun run);
    }

    private FaultReport scenario(String name, Fault fault, Runnable restore) {
        LoadRun run = LoadRun.start(e2e, name, LOAD, PER_SECOND, TTL_SECONDS);
        long faultAt = Long.MAX_VALUE;
        int inFlight = 0;
        try {
            await("load flowing").atMost(Duration.ofSeconds(60))
                    .until(() -> run.withOutcome(e2e.topics().sent.name()) >= PER_SECOND * 2);
            inFlight = run.inFlight();
            LOG.info("{}: injecting the fault with {} verifications in flight", name, inFlight);
            faultAt = fault.inject(run);
            await("all produced").atMost(Duration.ofSeconds(120)).until(run::allProduced);
            await("every verification ended").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                    .until(run::allTerminal);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            LOG.warn("{}: {}", name, e.getMessage()); // the report below says what is missing
        } finally {
            run.close();
            restore.run();
        }
        return FaultReport.of(name, run, e2e, faultAt, inFlight);
    }

    @org.junit.jupiter.api.AfterAll
    static void summary() {
        if (e2e != null && !REPORTS.isEmpty()) {
            FaultReport.writeMarkdown(List.copyOf(REPORTS), e2e.reportDir().resolve("faults.md"));
        }
    }

    private static void assertInvariants(FaultReport report) {
        assertInvariantsUnderAStorm(report);
        assertThat(report.recoveryMillis()).as("processing resumed within " + RESUME_BOUND)
                .isLessThanOrEqualTo(RESUME_BOUND.toMillis());
    }

    /**
     * The invariants of a fault that lasts the whole load. Such a storm has no end to resume from: its slowest flow is
     * bounded by the worker's retry policy, not by a recovery (a check whose validate call gets no answer is followed
     * by status calls that meet the storm too: 5 calls, 16 s, in one CI run), so only the bound is left out.
     */
    private static void assertInvariantsUnderAStorm(FaultReport report) {
        LOG.info("{}", report.summary());
        report.write(e2e.reportDir());
        REPORTS.add(report);
        assertThat(report.lost()).as("lost verifications").isZero();
        assertThat(report.duplicateTerminals()).as("duplicate terminal outcomes").isZero();
        assertThat(report.afterTerminal()).as("outcomes after a terminal outcome").isZero();
        assertThat(report.duplicateSends()).as("duplicate SMS (sandbox outbox)")
                .isLessThanOrEqualTo(report.inFlightAtFault());
    }
}
