package io.egoiverify.worker.command;

import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.CommandStatus;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import io.egoiverify.internal.VerificationCommandResult;
import io.egoiverify.worker.egoi.EgoiApi;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.InvalidRequestException;
import io.egoiverify.worker.egoi.PhoneNumbers;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import io.egoiverify.worker.egoi.SenderProfiles;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one command against E-goi with its retry policy and turns whatever happens into a result. Sends are
 * retried only when the call certainly never reached E-goi (no idempotency key: a repeat could send a second SMS);
 * checks are retried on any non-answer. No call starts after the command's deadline. Retries wait on a scheduler,
 * never on a thread. The returned future never completes exceptionally. Built with {@link #create}.
 */
public final class CommandExecutor implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CommandExecutor.class);

    private final EgoiApi egoi;
    private final SenderProfiles profiles;
    private final WorkerConfig.Retries retries;
    private final CircuitBreaker breaker;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final WorkerMetrics metrics;

    CommandExecutor(EgoiApi egoi, SenderProfiles profiles, WorkerConfig.Retries retries, CircuitBreaker breaker,
                    ScheduledExecutorService scheduler, Clock clock) {
        this(egoi, profiles, retries, breaker, scheduler, clock, WorkerMetrics.NONE);
    }

    CommandExecutor(EgoiApi egoi, SenderProfiles profiles, WorkerConfig.Retries retries, CircuitBreaker breaker,
                    ScheduledExecutorService scheduler, Clock clock, WorkerMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics, "metrics");
        this.egoi = egoi;
        this.profiles = profiles;
        this.retries = retries;
        this.breaker = breaker;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /**
     * The E-goi command handler: an executor with its own circuit breaker (resilience4j, named {@code egoi}, reported
     * through {@link WorkerMetrics#circuitBreakers}) and its own retry scheduler thread, which {@link #close()} stops.
     */
    public static CommandHandler create(EgoiApi egoi, SenderProfiles profiles, WorkerConfig.Retries retries,
                                         WorkerConfig.Breaker breaker, Clock clock, WorkerMetrics metrics) {
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(breaker.failureRateThreshold())
                .slidingWindowSize(breaker.slidingWindowSize())
                .minimumNumberOfCalls(breaker.minimumCalls())
                .waitDurationInOpenState(breaker.openDuration())
                .build());
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
        if (!clock.instant().isBefore(command.getDeadline())) {
            return done(result(command, CommandStatus.DEADLINE_PASSED, null, null, 0, "deadline passed before any call"));
        }
        Optional<SenderProfile> profile = profiles.find(command.getSenderProfile());
        if (profile.isEmpty()) {
            return done(result(command, CommandStatus.REJECTED, null, null, 0,
                    "unknown sender profile '" + command.getSenderProfile() + "'"));
        }
        Object action = command.getAction();
        try {
            if (action instanceof SendCode send) {
                PhoneNumbers.toEgoi(send.getPhoneNumber()); // refuse an invalid number before any call
                SendRequest request = new SendRequest(send.getPhoneNumber(), send.getCodeType(), send.getCodeSize(),
                        send.getTtlSeconds(), send.getMessage(), send.getGroup());
                return new Attempts(command, true, () -> egoi.send(profile.get(), request)).start();
            }
            if (action instanceof CheckCode check) {
                return new Attempts(command, false,
                        () -> egoi.validate(profile.get(), check.getProviderRequestId(), check.getCode())).start();
            }
            return done(result(command, CommandStatus.REJECTED, null, null, 0, "unknown action type"));
        } catch (InvalidRequestException e) {
            return done(result(command, CommandStatus.REJECTED, null, null, 0, "invalid request: " + e.getMessage()));
        }
    }

    /** The calls behind one command. */
    private final class Attempts {
        private final VerificationCommand command;
        private final boolean send;
        private final Supplier<CompletableFuture<EgoiResult>> call;
        private final CompletableFuture<VerificationCommandResult> outcome = new CompletableFuture<>();
        private int calls;
        private int attempts;

        Attempts(VerificationCommand command, boolean send, Supplier<CompletableFuture<EgoiResult>> call) {
            this.command = command;
            this.send = send;
            this.call = call;
        }

        CompletableFuture<VerificationCommandResult> start() {
            attempt();
            return outcome;
        }

        private void attempt() {
            attempts++;
            if (!breaker.tryAcquirePermission()) {
                onResult(new EgoiResult.CircuitOpen(), null);
                return;
            }
            Instant started = clock.instant();
            long t0 = System.nanoTime();
            calls++;
            CompletableFuture<EgoiResult> f;
            try {
                f = call.get();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((r, error) -> {
                EgoiResult res = error != null ? new EgoiResult.ConnectionFailed(error.getClass().getSimpleName()) : r;
                record(res, System.nanoTime() - t0);
                onResult(res, started);
            });
        }

        private void record(EgoiResult r, long nanos) {
            if (r instanceof EgoiResult.RateLimited) {
                breaker.releasePermission();
            } else if (r.delivery() == EgoiResult.Delivery.ANSWERED) {
                breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            } else {
                breaker.onError(nanos, TimeUnit.NANOSECONDS, new ProviderFailure(r.describe()));
            }
        }

        private void onResult(EgoiResult r, Instant started) {
            if (r.delivery() != EgoiResult.Delivery.ANSWERED && retriable(r)) {
                Duration delay = backoff(r);
                if (clock.instant().plus(delay).isBefore(command.getDeadline())) {
                    LOG.debug("Retrying {} for requestId={} after {} ({} ms)", send ? "send" : "check",
                            command.getRequestId(), r.describe(), delay.toMillis());
                    metrics.retryScheduled(send ? "send" : "validate", WorkerMetrics.nameOf(r));
                    scheduler.schedule(this::retry, delay.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            }
            outcome.complete(map(r, started));
        }

        private void retry() {
            if (!clock.instant().isBefore(command.getDeadline())) {
                outcome.complete(result(command, CommandStatus.UNAVAILABLE, null, null, calls,
                        "deadline reached after " + calls + " call(s)"));
                return;
            }
            attempt();
        }

        private boolean retriable(EgoiResult r) {
            int max = send ? retries.maxSendAttempts() : retries.maxCheckAttempts();
            if (attempts >= max) {
                return false;
            }
            if (!send || r.delivery() == EgoiResult.Delivery.NOT_DELIVERED) {
                return true;
            }
            return retries.retryUnknownSendOutcome();
        }

        private Duration backoff(EgoiResult r) {
            long base = retries.initialBackoff().toMillis() << Math.min(attempts - 1, 20);
            long capped = Math.min(base, retries.maxBackoff().toMillis());
            long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
            if (r instanceof EgoiResult.RateLimited limited && limited.retryAfter().isPresent()) {
                return Duration.ofMillis(Math.max(jittered, limited.retryAfter().get().toMillis()));
            }
            return Duration.ofMillis(jittered);
        }

        private VerificationCommandResult map(EgoiResult r, Instant started) {
            String detail = r.describe() + (calls > 1 ? " after " + calls + " calls" : "");
            CommandStatus status;
            String providerRequestId = null;
            if (r instanceof EgoiResult.Sent sent) {
                status = CommandStatus.SENT;
                providerRequestId = sent.providerRequestId();
            } else if (r instanceof EgoiResult.Verified) {
                status = CommandStatus.VERIFIED;
            } else if (r instanceof EgoiResult.AlreadyVerified) {
                // a retried check may have verified the code on an earlier call whose answer was lost
                status = calls > 1 ? CommandStatus.VERIFIED : CommandStatus.ALREADY_VERIFIED;
            } else if (r instanceof EgoiResult.WrongCode) {
                status = CommandStatus.WRONG_CODE;
            } else if (r instanceof EgoiResult.Expired) {
                status = CommandStatus.CODE_EXPIRED;
            } else if (r instanceof EgoiResult.Rejected) {
                status = CommandStatus.REJECTED;
            } else {
                status = CommandStatus.UNAVAILABLE;
            }
            return result(command, status, providerRequestId, status == CommandStatus.SENT ? started : null, calls,
                    detail);
        }
    }

    private VerificationCommandResult result(VerificationCommand c, CommandStatus status, String providerRequestId,
                                             Instant callStartedAt, int calls, String detail) {
        return VerificationCommandResult.newBuilder()
                .setCommandId(c.getCommandId())
                .setRequestId(c.getRequestId())
                .setCompletedAt(clock.instant())
                .setStatus(status)
                .setProviderRequestId(providerRequestId)
                .setCallStartedAt(callStartedAt)
                .setProviderCalls(calls)
                .setDetail(detail)
                .build();
    }

    private static CompletableFuture<VerificationCommandResult> done(VerificationCommandResult r) {
        return CompletableFuture.completedFuture(r);
    }

    /** Marks a failed call for the circuit breaker; no stack trace (it is expected). */
    static final class ProviderFailure extends RuntimeException {
        ProviderFailure(String message) {
            super(message, null, false, false);
        }
    }
}
