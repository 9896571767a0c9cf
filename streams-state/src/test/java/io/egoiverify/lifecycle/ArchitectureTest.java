package io.egoiverify.lifecycle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP stays in the worker; the lifecycle itself knows nothing of Kafka. */
@Timeout(60)
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.egoiverify.lifecycle");

    @Test
    void streamsStateNeverImportsAnHttpClient() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.hc..", "java.net.http..",
                "okhttp3..", "org.apache.http..", "com.github.tomakehurst..", "org.eclipse.jetty..")
                .check(MAIN);
    }

    @Test
    void thePureLifecycleHasNoKafkaTypes() {
        noClasses().that().resideInAPackage("io.egoiverify.lifecycle")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.egoiverify.schemas..")
                .check(MAIN);
    }
}
