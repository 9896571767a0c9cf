package io.egoiverify.lifecycle.streams;

import io.egoiverify.schemas.registry.RegisteredSchema;
import io.egoiverify.schemas.registry.RegistryUnavailableException;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;

/** A registry that can be switched off: every call then fails as an outage would. */
final class FlakyRegistry implements SchemaRegistryClient {
    final AtomicBoolean down = new AtomicBoolean();
    final java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
    private final SchemaRegistryClient delegate;

    FlakyRegistry(SchemaRegistryClient delegate) {
        this.delegate = delegate;
    }

    private void check() {
        if (down.get()) {
            refusals.incrementAndGet();
            throw new RegistryUnavailableException("registry unreachable (test outage)", null);
        }
    }

    @Override
    public int register(String subject, Schema schema) {
        check();
        return delegate.register(subject, schema);
    }

    @Override
    public int idOf(String subject, Schema schema) {
        check();
        return delegate.idOf(subject, schema);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        check();
        return delegate.latest(subject);
    }

    @Override
    public Schema byId(int id) {
        check();
        return delegate.byId(id);
    }
}
