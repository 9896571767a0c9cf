package io.egoiverify.e2e.stack;

import io.egoiverify.schemas.topics.TopicNames;
import java.util.Map;
import java.util.TreeMap;

/**
 * A second, independent pipeline on a running stack's broker, registry and sandbox: every topic under a prefix, its
 * own Kafka Streams application id and worker group, one lifecycle and one worker instance whose settings are the
 * stack's with the twin's on top (e.g. {@code egoi.api=guide}: the e2e tests play the guide dialect this way without
 * a second broker, registry and sandbox). Its processes are {@code lifecycle-9} and {@code worker-9} (operations ports
 * {@code lifecycleBase + 9} and {@code workerBase + 9}): start it only for as long as nothing scales the stack, and
 * {@link #down()} it after.
 */
public final class TwinPipeline implements AutoCloseable {
    /** The instance index of the twin's processes: the last of the nine ports each role has. */
    public static final int INDEX = 9;

    private final StackConfig config;
    private final String prefix;
    private final Map<String, String> settings;
    private final AppLauncher apps;
    private final AppInstances instances;
    private final StackReadiness readiness;

    TwinPipeline(StackConfig config, String prefix, Map<String, String> settings, AppLauncher apps,
                 AppInstances instances, StackReadiness readiness) {
        if (!prefix.matches("[a-z0-9.-]+\\.")) {
            throw new IllegalArgumentException("a topic prefix ends with '.': " + prefix);
        }
        this.config = config;
        this.prefix = prefix;
        this.apps = apps;
        this.instances = instances;
        this.readiness = readiness;
        Map<String, String> s = new TreeMap<>();
        String id = prefix.substring(0, prefix.length() - 1);
        s.put("topics.prefix", prefix);
        s.put("lifecycle.application-id", "egoi-verify-lifecycle-" + id);
        s.put("worker.group-id", "egoi-verify-worker-" + id);
        s.put("worker.transactional-id", "egoi-verify-worker-" + id + "-" + INDEX);
        if ("guide".equals(settings.get("egoi.api"))) {
            s.put("egoi.base-url", config.ports().sandboxUrl() + "/api/public");
        }
        s.putAll(settings);
        this.settings = Map.copyOf(s);
    }

    public TopicNames topics() {
        return TopicNames.withPrefix(prefix);
    }

    /** Operations URL of the twin's lifecycle instance (status query, health). */
    public String lifecycleUrl() {
        return "http://" + StackConfig.HOST + ":" + (config.ports().lifecycleBase() + INDEX);
    }

    /** Creates the twin's topics, registers its subjects, starts both instances and waits until they are ready. */
    public void up() {
        new StackTopics(config, topics()).createTopics();
        apps.registerSchemas(Map.of("topics.prefix", prefix));
        instances.start(ProcessNames.lifecycle(INDEX), "state", config.ports().lifecycleBase() + INDEX, settings,
                false);
        instances.start(ProcessNames.worker(INDEX), "worker", config.ports().workerBase() + INDEX, settings, false);
        readiness.awaitReady(ProcessNames.lifecycle(INDEX), AppInstances.START_TIMEOUT);
        readiness.awaitReady(ProcessNames.worker(INDEX), AppInstances.START_TIMEOUT);
    }

    /** Stops both instances gracefully (their topics stay). */
    public void down() {
        instances.stopWorker(INDEX);
        instances.stopLifecycle(INDEX);
    }

    @Override
    public void close() {
        down();
    }
}
