package io.egoiverify.app.query;

import io.egoiverify.app.config.QueryConfig;
import io.egoiverify.lifecycle.streams.LifecycleService;
import io.egoiverify.lifecycle.streams.StatusQuery;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The status query of a lifecycle instance: its endpoint, the pool it runs on and the client of its forwarding hop.
 * A lookup takes microseconds and the hop does not hold a thread, so a few threads carry thousands of queries a
 * second; {@link #MAX_PENDING} bounds the queries in progress (mostly hops awaiting their owner).
 */
public final class StatusService implements AutoCloseable {
    static final int THREADS = 4;
    static final int MAX_PENDING = 1024;
    static final int MAX_CONNECTIONS = 64;
    private final ExecutorService pool;
    private final StatusClient client;
    private final StatusEndpoint endpoint;

    public StatusService(QueryConfig config, MeterRegistry registry) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "status-query-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Well below the JDK server's cap of 200 idle connections per instance, which it enforces by closing the
        // surplus (a pooled connection closed that way fails the hop's one try).
        this.client = new StatusClient(config.forwardTimeout(), MAX_CONNECTIONS);
        this.endpoint = new StatusEndpoint(client, pool, MAX_PENDING, config.authToken(),
                config.secondAuthToken(), registry);
    }

    public StatusEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Starts answering from {@code lifecycle}'s state. {@code host:port} must be exactly this instance's
     * {@code application.server}: a key whose active host is that is read here, any other is fetched from its host.
     */
    public void serve(LifecycleService lifecycle, String host, int port) {
        endpoint.serve(new StatusQuery(lifecycle, host, port));
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}
