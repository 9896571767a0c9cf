package io.egoiverify.worker.command;

import io.egoiverify.worker.egoi.Dialect;
import io.egoiverify.worker.egoi.EgoiApi;
import io.egoiverify.worker.egoi.EgoiResult;
import io.egoiverify.worker.egoi.SendRequest;
import io.egoiverify.worker.egoi.SenderProfile;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An E-goi that answers from a script, in order, whatever the call (a single-class unit test's stand-in). Records
 * which calls were made. {@link #fallback} answers once the script is empty.
 */
final class ScriptedEgoi implements EgoiApi {
    final Deque<EgoiResult> script = new ArrayDeque<>();
    final List<String> operations = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    private final Dialect dialect;
    volatile Function<String, EgoiResult> fallback = op -> null;

    ScriptedEgoi(Dialect dialect) {
        this.dialect = dialect;
    }

    ScriptedEgoi then(EgoiResult r) {
        synchronized (script) {
            script.add(r);
        }
        return this;
    }

    private CompletableFuture<EgoiResult> next(String operation) {
        calls.incrementAndGet();
        operations.add(operation);
        EgoiResult r;
        synchronized (script) {
            r = script.poll();
        }
        return CompletableFuture.completedFuture(r != null ? r : fallback.apply(operation));
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public CompletableFuture<EgoiResult> send(SenderProfile profile, SendRequest request) {
        return next("send");
    }

    @Override
    public CompletableFuture<EgoiResult> validate(SenderProfile profile, String providerRequestId, String code) {
        return next("validate");
    }

    @Override
    public CompletableFuture<EgoiResult> status(SenderProfile profile, String providerRequestId) {
        return next("status");
    }

    @Override
    public CompletableFuture<EgoiResult> cancel(SenderProfile profile, String providerRequestId) {
        return next("cancel");
    }

    @Override
    public CompletableFuture<EgoiResult> resend(SenderProfile profile, String providerRequestId) {
        return next("resend");
    }

    @Override
    public CompletableFuture<EgoiResult> senders(SenderProfile profile) {
        return next("senders");
    }
}
