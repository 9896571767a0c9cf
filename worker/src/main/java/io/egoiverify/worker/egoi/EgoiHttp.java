package io.egoiverify.worker.egoi;

import java.io.IOException;
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
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.ComplexCancellable;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
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
 * trickled a byte at a time would otherwise hold its call, its command and a pooled connection for hours. The abort
 * fails the exchange itself ({@link #ownCancellable}), so HttpClient closes its connection and frees its pool lease.
 */
final class EgoiHttp implements AutoCloseable {
    /** What an answer looked like on the wire; the dialect maps it. */
    record Answer(int status, String retryAfter, byte[] body) {
    }

    /** The context attribute holding an exchange's own cancellable (see {@link #ownCancellable}). */
    private static final String EXCHANGE_CANCEL = EgoiHttp.class.getName() + ".exchangeCancel";

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
                        .setHardCancellationEnabled(true) // the exchange limit needs it: see ownCancellable
                        .build())
                .addExecInterceptorBefore(ChainElement.MAIN_TRANSPORT.name(), "egoi-exchange-cancel",
                        EgoiHttp::ownCancellable)
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
        ComplexCancellable exchangeCancel = new ComplexCancellable();
        HttpClientContext context = HttpClientContext.create();
        context.setAttribute(EXCHANGE_CANCEL, exchangeCancel);
        Future<Answer> exchange;
        try {
            exchange = http.execute(SimpleRequestProducer.create(request), new BoundedAnswerConsumer(), null, context,
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
        limit(exchange, exchangeCancel, overran, result);
        return result;
    }

    /**
     * Aborts the exchange once it passes {@link #exchangeLimit}, unless its result came first: {@code exchangeCancel}
     * fails a request or answer under way (HttpClient then closes its connection and frees its lease), the future
     * cancels a pool lease or a connect still under way.
     */
    private void limit(Future<Answer> exchange, ComplexCancellable exchangeCancel, AtomicBoolean overran,
                       CompletableFuture<EgoiResult> result) {
        ScheduledFuture<?> abort;
        try {
            abort = limits.schedule(() -> {
                overran.set(true);
                exchangeCancel.cancel();
                exchange.cancel(true);
            }, exchangeLimit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            return; // close() ends the exchange
        }
        result.whenComplete((r, e) -> abort.cancel(false));
    }

    /**
     * Hands the exchange (HttpClient's last step: the request and its answer on a connection) the cancellable in its
     * context, which the exchange limit cancels. Cancelling the future HttpClient returns does not reliably reach the
     * exchange: the future cancels the last cancellable recorded on it, and when a pool lease completes at once the
     * lease's own, already finished, one is recorded after the exchange's (HttpClient 5.6.5's AsyncConnectExec). That
     * happens on every reuse of a kept-alive connection, and now and then on a new one, when the I/O thread connects
     * and starts the exchange before the calling thread is back from the lease; the exchange then ran on, its
     * connection open and leased for as long as the answer trickled (HostileProviderTest).
     */
    private static void ownCancellable(HttpRequest request, AsyncEntityProducer entity, AsyncExecChain.Scope scope,
                                       AsyncExecChain chain, AsyncExecCallback callback)
            throws HttpException, IOException {
        ComplexCancellable own = scope.clientContext.getAttribute(EXCHANGE_CANCEL, ComplexCancellable.class);
        chain.proceed(request, entity, own == null ? scope : new AsyncExecChain.Scope(scope.exchangeId, scope.route,
                scope.originalRequest, own, scope.clientContext, scope.execRuntime, scope.scheduler, scope.execCount),
                callback);
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
