package io.egoiverify.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Avro 1.12 refuses to load any class a schema names unless it is trusted (a defence against schemas that name
 * arbitrary classes), and by default it trusts only a few java.lang types: even our own generated records fail with
 * {@code SecurityException: Forbidden io.egoiverify.events...}. This adds the two packages of generated contract
 * classes to Avro's process-wide predicate, keeping whatever else was trusted (e.g. through the system properties
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES}). The serializer and deserializer call it; code that uses Avro's
 * specific readers directly calls {@link #install()} first. Idempotent and thread-safe.
 */
public final class AvroClassTrust {
    /** Packages of the generated classes (see the namespaces of the .avsc files). */
    public static final String EVENTS_PACKAGE = "io.egoiverify.events";
    public static final String INTERNAL_PACKAGE = "io.egoiverify.internal";

    private AvroClassTrust() {
    }

    public static synchronized void install() {
        ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (current instanceof ContractPackages) {
            return;
        }
        ClassSecurityValidator.setGlobal(new ContractPackages(current));
    }

    /** Trusts the contract packages, then defers to the predicate that was in place. */
    private record ContractPackages(ClassSecurityPredicate previous) implements ClassSecurityPredicate {
        @Override
        public boolean isTrusted(Class<?> type) {
            String pkg = type.getPackageName();
            return pkg.equals(EVENTS_PACKAGE) || pkg.equals(INTERNAL_PACKAGE) || previous.isTrusted(type);
        }

        @Override
        public void forbiddenClass(String className) {
            previous.forbiddenClass(className);
        }
    }
}
