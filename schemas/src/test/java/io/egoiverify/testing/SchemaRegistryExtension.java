package io.egoiverify.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real schema registry process ({@link SchemaRegistryProcess}) per test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();
 * ... Map.of("schema.registry.url", REGISTRY.url()) ...
 * }</pre>
 *
 * <p>Only works under Failsafe in the schemas module or in a module that sets the system property
 * {@value SchemaRegistryProcess#JAR_PROPERTY} the same way.
 */
public final class SchemaRegistryExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private SchemaRegistryProcess process;
    private String ownerContextId;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (process != null) {
            return; // a @Nested class shares the running registry
        }
        process = SchemaRegistryProcess.start();
        ownerContextId = context.getUniqueId();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (process != null && context.getUniqueId().equals(ownerContextId)) {
            SchemaRegistryProcess running = process;
            process = null;
            running.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SchemaRegistryExtension.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return this;
    }

    /** The value for {@code schema.registry.url}: the Confluent-compatible API root (includes a path). */
    public String url() {
        return process().ccompatUrl();
    }

    public SchemaRegistryProcess process() {
        if (process == null) {
            throw new IllegalStateException("the schema registry is not running: register SchemaRegistryExtension as a"
                    + " static @RegisterExtension field or with @ExtendWith");
        }
        return process;
    }
}
