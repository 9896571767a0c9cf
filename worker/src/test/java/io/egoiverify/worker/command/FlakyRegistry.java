package io.egoiverify.worker.command;

import io.egoiverify.schemas.registry.RegisteredSchema;
import io.egoiverify.schemas.registry.RegistryUnavailableException;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry client in front of a working one whose reads (by id) and registrations can be switched to fail as an
 * outage does, counting the failures.
 */
final class FlakyRegistry implements SchemaRegistryClient {
    private final SchemaRegistryClient delegate;
    volatile boolean readsDown;
    volatile boolean registrationsDown;
    final AtomicInteger readFailures = new AtomicInteger();
    final AtomicInteger registrationFailures = new AtomicInteger();

    FlakyRegistry(SchemaRegistryClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public int register(String subject, Schema schema) {
        if (registrationsDown) {
            registrationFailures.incrementAndGet();
            throw new RegistryUnavailableException("registry answered 500 (test outage)", null);
        }
        return delegate.register(subject, schema);
    }

    @Override
    public int idOf(String subject, Schema schema) {
        if (registrationsDown) {
            registrationFailures.incrementAndGet();
            throw new RegistryUnavailableException("registry answered 500 (test outage)", null);
        }
        return delegate.idOf(subject, schema);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        if (registrationsDown) {
            registrationFailures.incrementAndGet();
            throw new RegistryUnavailableException("registry answered 500 (test outage)", null);
        }
        return delegate.latest(subject);
    }

    @Override
    public Schema byId(int id) {
        if (readsDown) {
            readFailures.incrementAndGet();
            throw new RegistryUnavailableException("connection refused (test outage)", null);
        }
        return delegate.byId(id);
    }
}
