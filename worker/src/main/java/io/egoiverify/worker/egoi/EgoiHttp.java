package io.egoiverify.worker.egoi;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.AuthenticationStrategy;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.auth.AuthCache;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.auth.BasicAuthCache;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.concurrent.ComplexCancellable;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pooled, asynchronous HttpClient 5 (one per process), shared by whichever dialect speaks over it. TLS uses the
 * JVM's trust store with host-name verification. It never retries by itself (whether a call may be repeated is the
 * worker's decision: a send has no idempotency key) and its futures never complete exceptionally: a transport failure
 * becomes an {@link EgoiResult} by {@link TransportFailures}. An answer's body is read up to 64 KiB
 * ({@link BoundedAnswerConsumer}); a longer one is a malformed answer. One exchange lasts at most
 * {@link #exchangeLimit}: HttpClient's response timeout is a socket timeout, re-armed by every byte read, so an answer
 * trickled a byte at a time would otherwise hold its call, its command and a pooled connection for hours. The abort
 * fails the exchange itself ({@link #ownCancellable}), so HttpClient closes its connection and frees its pool lease.
 * With a proxy ({@link EgoiConfig.Proxy}), an answer that did not come through the exchange itself is the proxy's
 * refusal of the tunnel, never E-goi's answer ({@link #viaProxy}).
 */
final class EgoiHttp implements AutoCloseable {
    /** What an answer looked like on the wire; the dialect maps it. */
    record Answer(int status, String retryAfter, byte[] body) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(EgoiHttp.class);
    /** The context attribute holding an exchange's own cancellable (see {@link #ownCancellable}). */
    private static final String EXCHANGE_CANCEL = EgoiHttp.class.getName() + ".exchangeCancel";
    /** The context attribute that says whether the request was handed to the exchange (see {@link #markWritten}). */
    private static final String HANDED_OVER = EgoiHttp.class.getName() + ".handedOver";
    /**
     * Never answers a target's challenge, so HttpClient never sends a request again by itself on a 401 (the only
     * credentials it holds are the proxy's, and a send must not be repeated).
     */
    private static final AuthenticationStrategy NO_TARGET_AUTH = (type, challenges, context) -> List.of();
    /** Proxy refusals and tunnel failures logged once each, bounded like the dialects' unknown statuses. */
    private static final int MAX_REPORTED = 64;

    private final CloseableHttpAsyncClient http;
    /** The forward proxy, or null: direct. */
    private final EgoiConfig.Proxy proxy;
    private final FirstSightings reported = new FirstSightings(MAX_REPORTED);
    /**
     * The proxy's authentication scheme once it has accepted the credentials, shared by every call's context (each
     * call has a context of its own): without it every plain-http call was refused with a 407 first and sent again,
     * body and all (a new tunnel's CONNECT likewise). Null without proxy credentials. Each call gets a copy of the
     * scheme's state.
     */
    private final AuthCache proxyAuth;
    /** Each phase's own timeout end to end: pool lease and connect (both the connect timeout), then the answer. */
    private final Duration exchangeLimit;
    /** Aborts exchanges that pass {@link #exchangeLimit}; one daemon thread, a task per exchange in flight. */
    private final ScheduledThreadPoolExecutor limits;

    EgoiHttp(EgoiConfig.Transport config) {
        this(config, null);
    }

    /** @param testTrust tests only: the TLS context of a test target; null = the JVM's trust store */
    EgoiHttp(EgoiConfig.Transport config, SSLContext testTrust) {
        WireLogGuard.forceOff();
        this.proxy = config.proxy();
        this.proxyAuth = proxy != null && proxy.userInfo() != null ? new BasicAuthCache() : null;
        this.exchangeLimit = config.connectTimeout().multipliedBy(2).plus(config.responseTimeout());
        this.limits = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "egoi-http-limit");
            t.setDaemon(true);
            return t;
        });
        limits.setRemoveOnCancelPolicy(true);
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout response = Timeout.of(config.responseTimeout());
        PoolingAsyncClientConnectionManagerBuilder poolBuilder = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnections())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connect)
                        .setSocketTimeout(response)
                        .build());
        if (testTrust != null) {
            poolBuilder.setTlsStrategy(new DefaultClientTlsStrategy(testTrust));
        }
        PoolingAsyncClientConnectionManager pool = poolBuilder.build();
        HttpAsyncClientBuilder builder = HttpAsyncClients.custom()
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
                .addExecInterceptorBefore(ChainElement.MAIN_TRANSPORT.name(), "egoi-handed-over",
                        EgoiHttp::markWritten)
                .setTargetAuthenticationStrategy(NO_TARGET_AUTH)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement();
        if (proxy != null) {
            throughProxy(builder, proxy);
            LOG.info("E-goi calls go through the proxy {}", proxy); // its address; never the credentials
        }
        this.http = builder.build();
        this.http.start();
    }

    /**
     * Routes every call through {@code proxy} (JVM proxy properties are not read: the proxy is E-goi's alone), with
     * its credentials, if any, for the proxy's own host and port only.
     */
    private static void throughProxy(HttpAsyncClientBuilder builder, EgoiConfig.Proxy proxy) {
        HttpHost host = new HttpHost("http", proxy.host(), proxy.port());
        builder.setProxy(host);
        if (proxy.userInfo() != null) {
            BasicCredentialsProvider credentials = new BasicCredentialsProvider();
            credentials.setCredentials(new AuthScope(host), new UsernamePasswordCredentials(proxy.user(),
                    proxy.password()));
            builder.setDefaultCredentialsProvider(credentials);
        }
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
        AtomicBoolean handedOver = new AtomicBoolean();
        HttpClientContext context = HttpClientContext.create();
        context.setAttribute(EXCHANGE_CANCEL, exchangeCancel);
        context.setAttribute(HANDED_OVER, handedOver);
        if (proxyAuth != null) {
            context.setAuthCache(proxyAuth);
        }
        Future<Answer> exchange;
        try {
            exchange = http.execute(SimpleRequestProducer.create(request), new BoundedAnswerConsumer(), null, context,
                    new FutureCallback<Answer>() {
                        @Override
                        public void completed(Answer answer) {
                            EgoiResult refused = viaProxy(answer, handedOver.get());
                            if (refused != null) {
                                result.complete(refused);
                                return;
                            }
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
                            result.complete(viaProxy(overran.get() ? aborted() : TransportFailures.map(ex), ex,
                                    handedOver.get()));
                        }

                        @Override
                        public void cancelled() {
                            result.complete(viaProxy(overran.get() ? aborted()
                                    : new EgoiResult.ConnectionFailed("cancelled"), null, handedOver.get()));
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
     * Marks the request as handed to the exchange, HttpClient's last step, which writes it. Through a proxy, the steps
     * before it connect to the proxy, open the CONNECT tunnel (an exchange of its own with the proxy, outside this
     * chain) and shake hands with E-goi inside it: what ends the call before this mark never wrote its request.
     */
    private static void markWritten(HttpRequest request, AsyncEntityProducer entity, AsyncExecChain.Scope scope,
                                    AsyncExecChain chain, AsyncExecCallback callback)
            throws HttpException, IOException {
        AtomicBoolean handedOver = scope.clientContext.getAttribute(HANDED_OVER, AtomicBoolean.class);
        if (handedOver != null) {
            handedOver.set(true);
        }
        chain.proceed(request, entity, scope, callback);
    }

    /**
     * The proxy's refusal, or null when the answer is the target's to read. HttpClient's async client hands a refused
     * CONNECT's answer (407, 403, 502, ...) to the caller as if it were the target's: it is recognised by never having
     * come through the exchange. A 407 is always the proxy's (it answers plain-http calls in absolute form itself).
     */
    private EgoiResult viaProxy(Answer answer, boolean handedOver) {
        if (proxy == null || (handedOver && answer.status() != 407)) {
            return null;
        }
        return refused(answer.status());
    }

    /**
     * Through a proxy, a failure before the request was handed to the exchange (the CONNECT exchange, the TLS
     * handshake in the tunnel, a refusal page too large to read) sent nothing: not delivered, whatever it would mean on
     * a direct connection. A failure that already says so (connection refused, connect timeout) stays as it is.
     */
    private EgoiResult viaProxy(EgoiResult r, Throwable error, boolean handedOver) {
        if (proxy == null || handedOver || r.delivery() != EgoiResult.Delivery.UNKNOWN) {
            return r;
        }
        if (error instanceof BoundedAnswerConsumer.BodyTooLarge tooLarge) {
            return refused(tooLarge.status());
        }
        if (reported.first("tunnel " + r.describe())) {
            LOG.warn("No tunnel to E-goi through the proxy {}: {}. Nothing reached E-goi; such calls count as "
                    + "egoi_calls{status=tunnel_failed}. Logged once per cause.", proxy.address(), r.describe());
        }
        return new EgoiResult.TunnelFailed(r.describe());
    }

    /** The proxy refused the call: logged once per status, with the proxy's address and never its credentials. */
    private EgoiResult refused(int status) {
        if (reported.first("refused " + status)) {
            if (status == 407) {
                LOG.error("The proxy {} refused E-goi's calls with HTTP 407 (proxy authentication required): {}. "
                        + "Nothing reaches E-goi; such calls count as egoi_calls{status=proxy_refused}. Logged "
                        + "once.", proxy.address(), proxy.userInfo() == null ? "set egoi.proxy-user-info"
                        : "it refused the credentials of egoi.proxy-user-info");
            } else {
                LOG.warn("The proxy {} refused a call to E-goi with HTTP {} ({}). Nothing reached E-goi; such calls "
                        + "count as egoi_calls{status=proxy_refused}. Logged once per status.", proxy.address(),
                        status, status >= 500 ? "it could not reach E-goi" : "its policy, or a request it refuses");
            }
        }
        return new EgoiResult.ProxyRefused(status);
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
