package io.egoiverify.app;

import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.LifecycleSettings;
import io.egoiverify.app.config.QuerySettings;
import io.egoiverify.app.ops.AbuseMeters;
import io.egoiverify.app.ops.AppMetrics;
import io.egoiverify.app.ops.ComponentReadiness;
import io.egoiverify.app.ops.GracefulCheck;
import io.egoiverify.app.ops.HealthCheck;
import io.egoiverify.app.ops.LifecycleMeters;
import io.egoiverify.app.ops.MeteredEgoiApi;
import io.egoiverify.app.ops.MicrometerWorkerMetrics;
import io.egoiverify.app.ops.OpsServer;
import io.egoiverify.app.ops.OutcomeMetrics;
import io.egoiverify.app.ops.ShutdownSequence;
import io.egoiverify.app.query.StatusEndpoint;
import io.egoiverify.app.query.StatusService;
import io.egoiverify.lifecycle.streams.BoundedRocksDbMemory;
import io.egoiverify.lifecycle.streams.LifecycleOptions;
import io.egoiverify.lifecycle.streams.LifecycleService;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.topics.Topics;
import io.egoiverify.worker.command.CommandExecutor;
import io.egoiverify.worker.command.CommandHandler;
import io.egoiverify.worker.command.CommandWorker;
import io.egoiverify.worker.command.WorkerConfig;
import io.egoiverify.worker.egoi.EgoiClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service of one process: the lifecycle topology and/or the command worker (by role), their metrics and
 * the operations endpoints. {@link #shutdownSequence()} stops them in order: readiness off, worker (finishes in-flight
 * calls and commits), lifecycle, then the clients and servers they used.
 */
public final class AppRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(AppRuntime.class);
    /** The Kafka Streams client tag that carries {@code lifecycle.zone}. */
    static final String ZONE_TAG = "zone";
    private final AppConfig config;
    private final SchemaRegistryClient registry;
    private final Topics topics;
    private final AppMetrics metrics;
    // Volatile: the stop steps read them on threads of their own, possibly while start() runs (SIGTERM at start-up).
    private volatile OpsServer ops;
    private volatile LifecycleService lifecycle;
    private volatile CommandWorker worker;
    private volatile CommandHandler handler;
    private volatile EgoiClient egoi;
    /** Held here: a function counter keeps only a weak reference to the object it reads. */
    private OutcomeMetrics outcomes;
    private volatile StatusService status;
    /** Set by the first stop step; from then on start() creates no component. Guarded by this. */
    private boolean stopRequested;
    /** Until every component of the role has been started, readiness is off whatever the components say. */
    private volatile boolean started;
    private final List<HealthCheck> checks = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> unexpectedStop = new CompletableFuture<>();

    public AppRuntime(AppConfig config, SchemaRegistryClient registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.topics = new Topics(config.topics(), registry, config.serde());
        this.metrics = new AppMetrics(config.role().settingValue());
    }

    public boolean runsState() {
        return config.role().runsLifecycle();
    }

    public boolean runsWorker() {
        return config.role().runsWorker();
    }

    /**
     * Starts the ops server first (liveness answers during start-up), then the components of the role. When the
     * {@link #shutdownSequence stop sequence} begins meanwhile (SIGTERM during start-up), nothing more is started and
     * {@link StartAborted} is thrown; the sequence stops what was.
     */
    public AppRuntime start() throws IOException {
        if (config.ops().enabled()) {
            admit(() -> {
                ops = new OpsServer(config.ops().host(), config.ops().port(), metrics.registry());
                routeStatusQueries();
            });
        }
        // Registered before the server answers: with no check at all, /health/ready would say UP during start-up.
        addCheck(HealthCheck.of("startup", () -> started ? HealthCheck.Status.up("components started")
                : HealthCheck.Status.down("starting components")));
        // Readiness as a meter too: a scrape shows an instance that answers but is not ready (alert InstanceNotReady).
        Gauge.builder("health.ready", this, r -> r.isReady() ? 1 : 0).strongReference(true)
                .description("1 while /health/ready answers 200 (every component of the role up), else 0")
                .register(metrics.registry());
        if (ops != null) {
            admit(ops::start);
        }
        Duration grace = config.ops().readinessGrace();
        if (runsState()) {
            admit(() -> lifecycle = new LifecycleService(LifecycleOptions.of(topics, config.lifecycle())
                    .withAbuseMetrics(AbuseMeters.bind(metrics.registry()))
                    .withLifecycleMetrics(LifecycleMeters.bind(metrics.registry()))));
            lifecycle.start(streamsProperties());
            admit(() -> { }); // a stop during the topic checks: the lifecycle started nothing
            if (status != null) {
                status.serve(lifecycle, config.query().advertisedHost(), advertisedPort());
                if (config.query().advertisesLoopback() && QuerySettings.isWildcard(config.ops().host())) {
                    // Bound to every interface, yet this machine's name resolves to loopback (127.0.1.1 on Debian):
                    // peers on other machines would be sent to themselves. A loopback ops.host is a choice: no warning.
                    LOG.warn("the status query advertises {}:{}, a loopback address (ops.host {} and this machine's "
                            + "name resolves to it): lifecycle instances on other machines cannot reach it (queries "
                            + "for keys held elsewhere would answer 503). Set ops.advertised-host to an address they "
                            + "can call.", config.query().advertisedHost(), advertisedPort(), config.ops().host());
                }
            }
            KafkaStreams streams = lifecycle.kafkaStreams();
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(metrics.registry());
            metrics.add(streamsMetrics);
            outcomes = new OutcomeMetrics(config.topics(), streams::metrics).bindTo(metrics.registry());
            LifecycleMeters.sourcePartitions(metrics.registry(), lifecycle::sourcePartitions);
            lifecycle.failed().thenRun(() -> unexpectedStop.complete("the lifecycle (Kafka Streams) entered its "
                    + "error state"));
            addCheck(new GracefulCheck(HealthCheck.of("lifecycle",
                    () -> ComponentReadiness.streams(lifecycle.state())), grace, Clock.systemUTC()));
        }
        if (runsWorker()) {
            WorkerConfig wc = config.worker();
            admit(() -> {
                egoi = new EgoiClient(config.egoi());
                MicrometerWorkerMetrics workerMetrics = new MicrometerWorkerMetrics(metrics.registry());
                handler = CommandExecutor.create(new MeteredEgoiApi(egoi, metrics.registry()), config.profiles(),
                        wc.retries(), wc.breaker(), Clock.systemUTC(), workerMetrics);
                worker = new CommandWorker(wc, topics, handler, Clock.systemUTC(), workerMetrics);
            });
            worker.start(); // starts nothing once closed: the worker step may already have run
            CommandWorker started = worker;
            started.ended().thenAccept(unasked -> {
                if (unasked) {
                    // why, in the error line: e.g. a refused authentication, not only "see the log"
                    unexpectedStop.complete("the command worker stopped on its own (" + started.failure()
                            .orElse("fenced or failed") + "; see the log)");
                }
            });
            addCheck(new GracefulCheck(HealthCheck.of("worker",
                    () -> ComponentReadiness.worker(worker.isJoined(), worker.isRunning(), wc.groupId())), grace,
                    Clock.systemUTC()));
        }
        admit(() -> started = true);
        LOG.info("started role={} (topics prefix '{}', registry {}, per-number limits {})",
                config.role().settingValue(), config.topics().prefix(), config.serde(),
                !runsState() ? "n/a" : config.lifecycle().abuse().enabled() ? "on" : "off");
        return this;
    }

    /** A step of start-up that creates or starts a component. */
    @FunctionalInterface
    private interface StartStep {
        void run() throws IOException;
    }

    /**
     * Runs {@code step} unless the stop sequence has begun. Under the lock its first step takes: every component a
     * step created before is seen (and stopped) by the sequence, and none is created after it.
     */
    private synchronized void admit(StartStep step) throws IOException {
        if (stopRequested) {
            throw new StartAborted();
        }
        step.run();
    }

    /** Thrown by {@link #start()} when a stop began during start-up; the stop sequence stops what was started. */
    public static final class StartAborted extends RuntimeException {
        StartAborted() {
            super("stopped during start-up");
        }
    }

    /**
     * Completes, with the reason, when a component of the role has stopped for good without being asked. The process
     * should then stop (and be restarted): readiness would stay down, but liveness cannot see it.
     */
    public CompletableFuture<String> unexpectedStop() {
        return unexpectedStop;
    }

    /**
     * {@code /verifications/} on the operations port: answered from the lifecycle's state (503 until it runs), or, on
     * an instance without the lifecycle, a clear refusal.
     */
    private void routeStatusQueries() {
        if (runsState()) {
            status = new StatusService(config.query(), metrics.registry());
            ops.route(StatusEndpoint.PATH, status.endpoint());
        } else {
            ops.route(StatusEndpoint.PATH, StatusEndpoint.notHosted(config.role().settingValue()));
        }
    }

    private int advertisedPort() {
        return config.query().advertisedPort(ops.port());
    }

    private void addCheck(HealthCheck check) {
        checks.add(check);
        if (ops != null) {
            ops.addReadinessCheck(check);
        }
    }

    /** Ready as /health/ready would say (also when no ops server runs): started and every component up. */
    public boolean isReady() {
        if (ops != null) {
            return ops.isReady();
        }
        return checks.stream().allMatch(c -> c.check().up());
    }

    private Properties streamsProperties() {
        Properties p = new Properties();
        int rocksDbMb = LifecycleSettings.rocksDbMemoryMb(config.settings());
        if (rocksDbMb > 0) {
            p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());
            p.put(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, rocksDbMb * 1024L * 1024L);
        }
        LifecycleSettings.zone(config.settings()).ifPresent(zone -> {
            // Rack-aware standbys: a standby goes to an instance whose zone differs from its active's where possible.
            p.put(StreamsConfig.clientTagPrefix(ZONE_TAG), zone);
            p.put(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG, ZONE_TAG);
        });
        p.putAll(config.kafka()); // an operator's own kafka.rocksdb.config.setter (or client tags) wins
        if (status != null) {
            // Where peers fetch the keys this instance holds: the status query's forwarding hop.
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.query().advertisedHost() + ":" + advertisedPort());
        }
        return p;
    }

    public Topics topics() {
        return topics;
    }

    /** The lifecycle's Kafka Streams client once it started, else null (tests read its task assignment). */
    public KafkaStreams lifecycleStreams() {
        LifecycleService l = lifecycle;
        return l == null ? null : l.kafkaStreams();
    }

    public AppMetrics metrics() {
        return metrics;
    }

    /** The ops server's port, or -1 when disabled. */
    public int opsPort() {
        return ops == null ? -1 : ops.port();
    }

    /** Adds this runtime's stop steps, in order, to {@code seq}. */
    public ShutdownSequence shutdownSequence(ShutdownSequence seq) {
        Duration total = config.ops().shutdownTimeout();
        seq.then("readiness off", 0.02, () -> {
            synchronized (this) {
                stopRequested = true;
            }
            if (ops != null) {
                ops.markStopping();
            }
        });
        seq.then("command worker", 0.4, () -> {
            if (worker != null) {
                worker.close(Duration.ofMillis((long) (total.toMillis() * 0.3)));
            }
            if (handler != null) {
                handler.close();
            }
        });
        seq.then("lifecycle", 0.4, () -> {
            if (lifecycle != null) {
                lifecycle.close(Duration.ofMillis((long) (total.toMillis() * 0.35)));
            }
        });
        seq.then("status query", 0.02, () -> {
            if (status != null) {
                status.close();
            }
        });
        seq.then("E-goi client", 0.05, () -> {
            if (egoi != null) {
                egoi.close();
            }
        });
        seq.then("registry client", 0.03, registry);
        seq.then("metrics", 0.03, metrics);
        seq.then("ops server", 0.03, () -> {
            if (ops != null) {
                ops.close();
            }
        });
        return seq;
    }
}
