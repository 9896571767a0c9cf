package io.egoiverify.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The arrows between modules that must never exist (ARCHITECTURE.md: dependencies point down only, app → worker,
 * streams-state → schemas). Maven's module dependencies already keep most of them out at compile time; these rules keep
 * them out for good, whatever a pom says one day. Production classes of every module only (no test jars or classes).
 */
@Timeout(120)
class ModuleArchitectureTest {
    private static final String APP = "io.egoiverify.app..";
    private static final String WORKER = "io.egoiverify.worker..";
    private static final String LIFECYCLE = "io.egoiverify.lifecycle..";
    private static final String[] SCHEMAS = {"io.egoiverify.schemas..", "io.egoiverify.events..",
        "io.egoiverify.internal.."};

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ModuleArchitectureTest::isProductionCode)
            .importPackages("io.egoiverify");

    /** Excludes test classes and test jars (the schemas test-jar is on this module's test classpath). */
    private static boolean isProductionCode(Location location) {
        return ImportOption.Predefined.DO_NOT_INCLUDE_TESTS.includes(location)
                && !location.contains("-tests.jar") && !location.contains("/test-classes/");
    }

    @Test
    void everyModuleIsImported() {
        for (String pkg : new String[] {"io.egoiverify.app", "io.egoiverify.worker", "io.egoiverify.lifecycle",
            "io.egoiverify.schemas", "io.egoiverify.events", "io.egoiverify.internal"}) {
            assertThat(MAIN.stream().filter(c -> c.getPackageName().startsWith(pkg)).count())
                    .as("production classes imported from %s", pkg).isPositive();
        }
        assertThat(MAIN.stream().filter(c -> c.getPackageName().startsWith("io.egoiverify.testing")))
                .as("test harness classes must not be imported").isEmpty();
    }

    @Test
    void theWorkerNeverKnowsTheLifecycleOrTheApplication() {
        noClasses().that().resideInAPackage(WORKER)
                .should().dependOnClassesThat().resideInAnyPackage(LIFECYCLE, APP)
                .because("the worker only acts on admitted commands; the lifecycle decides")
                .check(MAIN);
    }

    @Test
    void theLifecycleNeverKnowsTheWorkerOrTheApplication() {
        noClasses().that().resideInAPackage(LIFECYCLE)
                .should().dependOnClassesThat().resideInAnyPackage(WORKER, APP)
                .because("the lifecycle never knows HTTP or E-goi")
                .check(MAIN);
    }

    @Test
    void theContractsDependOnNothingOfOurs() {
        noClasses().that().resideInAnyPackage(SCHEMAS)
                .should().dependOnClassesThat().resideInAnyPackage(LIFECYCLE, WORKER, APP)
                .because("schemas is the bottom of the dependency graph")
                .check(MAIN);
    }
}
