package io.egoiverify.worker.command;

import io.egoiverify.internal.CancelVerification;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.EgoiApi;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.InvalidRequestException;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one command against E-goi and turns whatever happens into its one result. Sends (and resends) are repeated
 * only while E-goi certainly did not process them (no idempotency key: a repeat could send a second SMS); checks,
 * status reads and cancels on any failure. While the circuit breaker is open, calls wait for it without spending
 * attempts ({@link BreakerGate}); only the command's deadline ends the wait. No call starts after the deadline; retries
 * wait on a scheduler, never on a thread. A command whose partition was given up (see {@link Standing}) makes no
 * further call, whether it waits for the breaker or for a retry: it ends soon with an UNAVAILABLE result that the
 * worker drops; one whose partition a rebalance holds starts no call until the partition comes back or is given up.
 * The returned future never completes exceptionally. Built with {@link #create}.
 */
public final class CommandExecutor implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CommandExecutor.class);
    /** How often waiting calls re-ask an open breaker (asking also moves it to half-open when its time has come). */
    private static final Duration GATE_TICK = Duration.ofMillis(100);
    /** Characters of an unknown sender profile's name a result's detail shows. */
    private static final int MAX_SHOWN_PROFILE = 64;

    private final EgoiApi egoi;
    private final SenderProfiles profiles;
    private final WorkerConfig.Retries retries;
    private final Clock clock;
    private final WorkerMetrics metrics;
    private final CallLoop.Services services;
    private final CommandResults results;
    private final CheckProcedure checks;
    private final ScheduledExecutorService scheduler;

    CommandExecutor(EgoiApi egoi, SenderProfiles profiles, WorkerConfig.Retries retries, CircuitBreaker breaker,
                    ScheduledExecutorService scheduler, Clock clock) {
        this(egoi, profiles, retries, breaker, scheduler, clock, WorkerMetrics.NONE);
    }

    CommandExecutor(EgoiApi egoi, SenderProfiles profiles, WorkerConfig.Retries retries, CircuitBreaker breaker,
                    ScheduledExecutorService scheduler, Clock clock, WorkerMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.egoi = egoi;
        this.profiles = profiles;
        this.retries = retries;
        this.clock = clock;
        this.scheduler = scheduler;
        this.services = new CallLoop.Services(breaker, new BreakerGate(breaker, scheduler, clock, GATE_TICK),
                scheduler, clock, retries, metrics);
        this.results = new CommandResults(clock, profiles.all().stream().map(SenderProfile::apiKey).toList());
        this.checks = new CheckProcedure(egoi, retries, results);
    }

    /**
     * The E-goi command handler: an executor with its own circuit breaker (resilience4j, named {@code egoi}, reported
     * through {@link WorkerMetrics#circuitBreakers}) and its own retry scheduler thread, which {@link #close()} stops.
     */
    public static CommandHandler create(EgoiApi egoi, SenderProfiles profiles, WorkerConfig.Retries retries,
                                         WorkerConfig.Breaker breaker, Clock clock, WorkerMetrics metrics) {
        CircuitBreakerRegistry breakers = breaker.registry();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "egoi-retries");
            t.setDaemon(true);
            return t;
        });
        metrics.circuitBreakers(breakers);
        return new CommandExecutor(egoi, profiles, retries, breakers.circuitBreaker("egoi"), scheduler, clock,
                metrics);
    }

    /** Stops the retry scheduler: retries not yet made are not made (their commands are not answered). */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    @Override
    public CompletableFuture<VerificationCommandResult> execute(VerificationCommand command) {
        return execute(command, Standing.OWNED);
    }

    @Override
    public CompletableFuture<VerificationCommandResult> execute(VerificationCommand command, Standing standing) {
        CompletableFuture<VerificationCommandResult> result;
        try {
            result = start(command, standing);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.exceptionally(error -> {
            LOG.error("Internal error executing a command for requestId={}", command.getRequestId(), error);
            return results.noCall(command, CommandStatus.UNAVAILABLE, "internal error: "
                    + error.getClass().getSimpleName());
        });
    }

    private CompletableFuture<VerificationCommandResult> start(VerificationCommand c, Standing standing) {
        Instant now = clock.instant();
        Instant deadline = deadlineOnThisClock(c, now);
        if (!now.isBefore(deadline)) {
            return done(results.noCall(c, CommandStatus.DEADLINE_PASSED, "deadline passed before any call"));
        }
        Optional<SenderProfile> profile = profiles.find(c.getSenderProfile());
        if (profile.isEmpty()) {
            return done(results.noCall(c, CommandStatus.REJECTED, "unknown sender profile '"
                    + shown(c.getSenderProfile()) + "'"));
        }
        SenderProfile p = profile.get();
        Object action = c.getAction();
        if (action instanceof SendCode send) {
            return send(c, p, send, loop(c, deadline, retries.maxSendAttempts(), standing));
        }
        if (action instanceof CheckCode check) {
            return checks.run(c, p, check, loop(c, deadline, retries.maxCheckAttempts(), standing));
        }
        if (action instanceof ResendCode resend) {
            return resend(c, p, resend, loop(c, deadline, retries.maxSendAttempts(), standing));
        }
        if (action instanceof CancelVerification cancel) {
            return cancel(c, p, cancel, loop(c, deadline, retries.maxCancelAttempts(), standing)).thenApply(r -> {
                if (!standing.givenUp()) { // else the result is dropped and the new owner cancels
                    metrics.cancelResult(r.getStatus());
                }
                return r;
            });
        }
        return done(results.noCall(c, CommandStatus.REJECTED, "unknown action type"));
    }

    /** A send: no idempotency key, so only "not processed" failures are repeated. */
    private CompletableFuture<VerificationCommandResult> send(VerificationCommand c, SenderProfile p, SendCode send,
                                                              CallLoop loop) {
        SendRequest request;
        try {
            request = new SendRequest(send.getPhoneNumber(), send.getCodeType(), send.getCodeSize(),
                    send.getTtlSeconds(), send.getMessage(), send.getGroup());
        } catch (InvalidRequestException e) {
            return done(results.noCall(c, CommandStatus.REJECTED, "invalid request: " + e.getMessage()));
        }
        RetryRule rule = RetryRule.sends("send", retries);
        return loop.run(rule, () -> egoi.send(p, request)).thenApply(o -> o.result() instanceof EgoiResult.Sent sent
                && !o.stopped()
                ? results.of(c, CommandStatus.SENT, sent.providerRequestId(), o.startedAt(), loop.calls(),
                        CommandResults.detail(sent, loop.calls()))
                : results.failed(c, o, rule, loop.calls()));
    }

    /**
     * V2: E-goi resends for the same verification; the id it answers with is adopted (the old one kept if it names
     * none). Guide: a resend is a new send, built from the command's {@code newSend}.
     */
    private CompletableFuture<VerificationCommandResult> resend(VerificationCommand c, SenderProfile p,
                                                                ResendCode resend, CallLoop loop) {
        if (!egoi.dialect().hasResendCall()) {
            if (resend.getNewSend() == null) {
                return done(results.noCall(c, CommandStatus.REJECTED, "the guide dialect resends by sending again "
                        + "and needs the number (the command has no newSend)"));
            }
            return send(c, p, resend.getNewSend(), loop);
        }
        String oldId = resend.getProviderRequestId();
        RetryRule rule = RetryRule.sends("resend", retries);
        return loop.run(rule, () -> egoi.resend(p, oldId)).thenApply(o -> {
            if (o.result() instanceof EgoiResult.Sent sent && !o.stopped()) {
                String id = sent.providerRequestId() != null ? sent.providerRequestId() : oldId;
                return results.of(c, CommandStatus.SENT, id, o.startedAt(), loop.calls(),
                        "resent" + (id.equals(oldId) ? "" : " (E-goi answered a new id)")
                                + (loop.calls() > 1 ? " after " + loop.calls() + " calls" : ""));
            }
            return results.failed(c, o, rule, loop.calls());
        });
    }

    /** Best effort: V2 only, bounded retries; the guide dialect knows no cancel call, so none is made. */
    private CompletableFuture<VerificationCommandResult> cancel(VerificationCommand c, SenderProfile p,
                                                                CancelVerification cancel, CallLoop loop) {
        if (!egoi.dialect().hasCancelCall()) {
            return done(results.noCall(c, CommandStatus.REJECTED, "the guide dialect has no cancel call"));
        }
        RetryRule rule = RetryRule.anyFailure("cancel", retries);
        return loop.run(rule, () -> egoi.cancel(p, cancel.getProviderRequestId())).thenApply(o ->
                o.result() instanceof EgoiResult.Cancelled && !o.stopped()
                        ? results.of(c, CommandStatus.CANCELLED, null, null, loop.calls(),
                                CommandResults.detail(o.result(), loop.calls()))
                        : results.failed(c, o, rule, loop.calls()));
    }

    /**
     * A profile name cut for the result's detail: echoed whole, a name that filled its command's 1 MiB record made a
     * result larger than the command, which the producer refused for good (the worker stopped on it after every
     * restart).
     */
    private static String shown(String profile) {
        return profile.length() <= MAX_SHOWN_PROFILE ? profile : profile.substring(0, MAX_SHOWN_PROFILE) + "...";
    }

    private CallLoop loop(VerificationCommand c, Instant deadline, int maxCalls, Standing standing) {
        return new CallLoop(services, c.getRequestId(), deadline, maxCalls, standing);
    }

    /**
     * The command's deadline (an instant on the issuer's clock) on this worker's clock. A command is never received
     * before it was issued, so an {@code issuedAt} after {@code now} means this clock is behind the issuer's by at
     * least that much, and the deadline comes that much earlier here. Taken as it was, a worker 10 s behind waited
     * for an open breaker 10 s past the deadline and sent the SMS then; more than resultGrace behind, that SMS goes to
     * a verification the lifecycle has already failed. A clock ahead cannot be told from a command that waited in the
     * topic: the deadline stands (such a worker refuses commands early, without a call).
     */
    static Instant deadlineOnThisClock(VerificationCommand c, Instant now) {
        Instant issued = c.getIssuedAt();
        if (!issued.isAfter(now)) {
            return c.getDeadline();
        }
        return c.getDeadline().minus(Duration.between(now, issued));
    }

    private static CompletableFuture<VerificationCommandResult> done(VerificationCommandResult r) {
        return CompletableFuture.completedFuture(r);
    }
}
