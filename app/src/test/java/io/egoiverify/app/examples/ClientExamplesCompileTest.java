package io.egoiverify.app.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client examples of docs/CLIENTS.md ("Examples") compile, and keep compiling: the two runnable files in
 * {@code docs/examples/java} and the two shortened snippets in CLIENTS.md itself. They are compiled with the JDK's
 * compiler against this module's test classpath, which holds what {@code app/target/egoi-verify.jar} bundles (Kafka
 * clients, Avro, the serde and the generated event classes). {@code ClientExamplesIT} runs the two files against a
 * broker, a real registry and the running service.
 */
class ClientExamplesCompileTest {
    static final Path EXAMPLES = Path.of("..", "docs", "examples", "java");
    static final List<Path> FILES = List.of(EXAMPLES.resolve("VerificationInputs.java"),
            EXAMPLES.resolve("VerificationOutcomes.java"));
    static final Path CLIENTS_MD = Path.of("..", "docs", "CLIENTS.md");

    @Test
    void theRunnableExamplesCompileWithoutWarnings(@TempDir Path out) throws IOException {
        assertThat(compile(FILES, out)).isEmpty();
        assertThat(out.resolve("VerificationInputs.class")).exists();
        assertThat(out.resolve("VerificationOutcomes.class")).exists();
    }

    /** A class named in a string (a serializer setting) is only resolved at run time: check it exists now. */
    @Test
    void everyClassTheyNameInAStringExists() throws IOException {
        Pattern className = Pattern.compile("\"((?:io\\.egoiverify|org\\.apache)(?:\\.[a-z0-9_]+)+\\.[A-Z]\\w*)\"");
        List<String> named = new ArrayList<>();
        for (Path file : FILES) {
            Matcher m = className.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                named.add(m.group(1));
            }
        }
        assertThat(named).contains("io.egoiverify.schemas.serde.SpecificAvroSerializer",
                "io.egoiverify.schemas.serde.SpecificAvroDeserializer",
                "org.apache.kafka.common.serialization.StringSerializer",
                "org.apache.kafka.common.serialization.StringDeserializer");
        for (String name : named) {
            assertThatCode(() -> Class.forName(name)).as(name).doesNotThrowAnyException();
        }
    }

    /** A user copies them: nothing of this project but the generated event classes (and the serde, by name). */
    @Test
    void theyStayStandalone() throws IOException {
        for (Path file : FILES) {
            List<String> imports = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("import ")).toList();
            assertThat(imports).as(file.toString()).isNotEmpty().allMatch(l -> l.startsWith("import java.")
                    || l.startsWith("import io.egoiverify.events.") || l.startsWith("import org.apache.avro.")
                    || l.startsWith("import org.apache.kafka."));
            assertThat(Files.readString(file, StandardCharsets.UTF_8)).doesNotContain("package ");
        }
    }

    /** CLIENTS.md's shortened snippets, wrapped in one class with their imports, as its "What was run" table says. */
    @Test
    void theSnippetsInClientsMdCompile(@TempDir Path dir) throws IOException {
        String md = Files.readString(CLIENTS_MD, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(md);
        List<String> snippets = new ArrayList<>();
        while (m.find()) {
            snippets.add(m.group(1));
        }
        assertThat(snippets).as("the publishing and the reading snippet").hasSize(2);
        String source = String.join("\n",
                "import io.egoiverify.events.VerificationRequested;",
                "import io.egoiverify.events.VerificationVerified;",
                "import java.time.Duration;",
                "import java.time.Instant;",
                "import java.util.List;",
                "import java.util.Map;",
                "import java.util.Properties;",
                "import org.apache.avro.specific.SpecificRecord;",
                "import org.apache.kafka.clients.consumer.ConsumerRecord;",
                "import org.apache.kafka.clients.consumer.KafkaConsumer;",
                "import org.apache.kafka.clients.producer.KafkaProducer;",
                "import org.apache.kafka.clients.producer.ProducerRecord;",
                "class Snippets {",
                "    static void publishing() throws Exception {",
                snippets.get(0),
                "    }",
                "    static void reading(Properties p, boolean running) {",
                snippets.get(1),
                "    }",
                "}");
        Path file = dir.resolve("Snippets.java");
        Files.writeString(file, source, StandardCharsets.UTF_8);
        Path out = Files.createDirectories(dir.resolve("classes"));
        assertThat(compile(List.of(file), out)).as(source).isEmpty();
    }

    /** Compiles {@code files} into {@code out}; the errors and warnings, empty when there are none. */
    static List<String> compile(List<Path> files, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK, not a JRE").isNotNull();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-Xlint:all", "-classpath",
                    System.getProperty("java.class.path"), "-d", out.toString());
            boolean ok = javac.getTask(null, fileManager, diagnostics, options, null,
                    fileManager.getJavaFileObjectsFromPaths(files)).call();
            List<String> problems = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() != Diagnostic.Kind.NOTE && d.getKind() != Diagnostic.Kind.OTHER)
                    .map(d -> d.getKind() + " " + (d.getSource() == null ? "" : d.getSource().getName() + ":"
                            + d.getLineNumber() + " ") + d.getMessage(Locale.ROOT))
                    .collect(Collectors.toCollection(ArrayList::new));
            if (!ok && problems.isEmpty()) {
                problems.add("the compiler failed without a diagnostic");
            }
            return problems;
        }
    }
}
