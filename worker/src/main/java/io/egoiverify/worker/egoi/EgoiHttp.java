package io.egoiverify.worker.egoi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * One pooled, asynchronous HttpClient 5 (one per process), shared by whichever dialect speaks over it. TLS uses the
 * JVM's trust store with host-name verification. It never retries by itself (whether a call may be repeated is the
 * worker's decision: a send has no idempotency key) and its futures never complete exceptionally: a transport failure
 * becomes an {@link EgoiResult} by {@link TransportFailures}. An answer's body is read up to 64 KiB
 * ({@link BoundedAnswerConsumer}); a longer one is a malformed answer. One exchange lasts at most
 * {@link #exchangeLimit}: HttpClient's response timeout is a socket timeout, re-armed by every byte read, so an answer
 * trickled a byte at a time would otherwise hold its call, its command and a pooled connection for hours.
 */
final class EgoiHttp implements AutoCloseable {
    /** What an answer looked like on the wire; the dialect maps it. */
    record Answer(int status, String retryAfter, byte[] body) {
    }

    private final CloseableHttpAsyncClient http;
    /** Each phase's own timeout end to end: pool lease and connect (both the connect timeout), then the answer. */
    private final Duration exchangeLimit;
    /** Aborts exchanges that pass {@link #exchangeLimit}; one daemon thread, a task per exchange in flight. */
    private final ScheduledThreadPoolExecutor limits;

    EgoiHttp(EgoiConfig.Transport config) {
        WireLogGuard.forceOff();
        this.exchangeLimit = config.connectTimeout().multipliedBy(2).plus(config.responseTimeout());
        this.limits = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "egoi-http-limit");
            t.setDaemon(true);
            return t;
        });
        limits.setRemoveOnCancelPolicy(true);
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout response = Timeout.of(config.responseTimeout());
        PoolingAsyncClientConnectionManager pool = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnections())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connect)
                        .setSocketTimeout(response)
                        .build())
                .build();
        this.http = HttpAsyncClients.custom()
                .setConnectionManager(pool)
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(config.ioThreads())
                        .setSoTimeout(response)
                        .setTcpNoDelay(true)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(connect)
                        .setResponseTimeout(response)
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
        this.http.start();
    }

    /**
     * Builds the request and sends it; a request that cannot be built (invalid input, a setting the dialect needs is
     * missing) completes at once with {@link EgoiResult.Refused}, without a call.
     */
    CompletableFuture<EgoiResult> call(Supplier<SimpleHttpRequest> request, Function<Answer, EgoiResult> onAnswer) {
        SimpleHttpRequest built;
        try {
            built = request.get();
        } catch (InvalidRequestException e) {
            return CompletableFuture.completedFuture(new EgoiResult.Refused(e.getMessage()));
        }
        return execute(built, onAnswer);
    }

    /** Sends {@code request}; an answer goes through {@code onAnswer}, a failure through {@link TransportFailures}. */
    CompletableFuture<EgoiResult> execute(SimpleHttpRequest request, Function<Answer, EgoiResult> onAnswer) {
        CompletableFuture<EgoiResult> result = new CompletableFuture<>();
        AtomicBoolean overran = new AtomicBoolean();
        Future<Answer> exchange;
        try {
            exchange = http.execute(SimpleRequestProducer.create(request), new BoundedAnswerConsumer(), null, null,
                    new FutureCallback<Answer>() {
                        @Override
                        public void completed(Answer answer) {
                            EgoiResult mapped;
                            try {
                                mapped = onAnswer.apply(answer);
                            } catch (RuntimeException e) {
                                // a mapping bug must not leave the future open: the answer is as good as unreadable
                                mapped = new EgoiResult.MalformedBody(answer.status(), e.getClass().getSimpleName());
                            }
                            result.complete(mapped);
                        }

                        @Override
                        public void failed(Exception ex) {
                            result.complete(overran.get() ? aborted() : TransportFailures.map(ex));
                        }

                        @Override
                        public void cancelled() {
                            result.complete(overran.get() ? aborted()
                                    : new EgoiResult.ConnectionFailed("cancelled"));
                        }
                    });
        } catch (RuntimeException e) {
            // e.g. the client is shutting down: nothing was sent
            result.complete(new EgoiResult.ConnectionRefused());
            return result;
        }
        limit(exchange, overran, result);
        return result;
    }

    /** Aborts {@code exchange} once it passes {@link #exchangeLimit}, unless its result came first. */
    private void limit(Future<Answer> exchange, AtomicBoolean overran, CompletableFuture<EgoiResult> result) {
        ScheduledFuture<?> abort;
        try {
            abort = limits.schedule(() -> {
                overran.set(true);
                exchange.cancel(true);
            }, exchangeLimit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            return; // close() ends the exchange
        }
        result.whenComplete((r, e) -> abort.cancel(false));
    }

    /**
     * An exchange aborted at {@link #exchangeLimit}: the pool lease and the connect have their own, shorter, timeouts,
     * so the request was on the wire and may have been processed.
     */
    private static EgoiResult aborted() {
        return new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE);
    }

    /** Lets calls in flight finish (bounded by the response timeout), then releases the pool. */
    @Override
    public void close() {
        http.close(CloseMode.GRACEFUL);
        limits.shutdownNow();
    }
}
