package io.egoiverify.e2e.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManagedProcessTest {
    @TempDir
    Path dir;

    /** A JVM that only waits: what the stack starts, minus the work. */
    private List<String> idleJvm() {
        return List.of(LocalStack.javaBinary(), "-Xmx16m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), Idle.class.getName());
    }

    @Test
    void startsWithAPidFileAndALog_andStopsByPid() throws Exception {
        ManagedProcess process = new ManagedProcess("idle", dir);
        long pid = process.start(idleJvm(), Map.of(), dir.resolve("idle"));

        assertThat(Files.readString(dir.resolve("pids/idle.pid"), StandardCharsets.UTF_8)).isEqualTo(Long.toString(pid));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(process.logFile()).contains("idle ready"));
        assertThat(process.alive()).isTrue();
        assertThat(new ManagedProcess("idle", dir).pid()).contains(pid);

        assertThat(process.stop(Duration.ofSeconds(10))).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir.resolve("pids/idle.pid")).doesNotExist();
        assertThat(process.stop(Duration.ofSeconds(1))).as("nothing left to stop").isFalse();
    }

    @Test
    void neverTouchesAPidThatIsNotOurs() throws Exception {
        Process stranger = new ProcessBuilder(idleJvm()).start();
        try {
            Files.createDirectories(dir.resolve("pids"));
            Files.writeString(dir.resolve("pids/worker-1.pid"), Long.toString(stranger.pid()));
            ManagedProcess process = new ManagedProcess("worker-1", dir);

            assertThat(process.alive()).as("a reused PID is not our process").isFalse();
            assertThat(process.stop(Duration.ofSeconds(1))).isFalse();
            assertThat(process.kill()).isFalse();
            assertThat(stranger.isAlive()).isTrue();
        } finally {
            stranger.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void killIsSigkill_andTheLogKeepsEveryStart() throws Exception {
        ManagedProcess process = new ManagedProcess("idle", dir);
        process.start(idleJvm(), Map.of(), dir);
        assertThat(process.kill()).isTrue();
        assertThat(process.alive()).isFalse();
        process.start(idleJvm(), Map.of(), dir);
        try {
            assertThat(Files.readString(process.logFile()).split(ManagedProcess.START_BANNER, -1)).hasSize(3);
        } finally {
            process.kill();
        }
    }

    /** Prints a line and waits to be stopped. */
    public static final class Idle {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("idle ready");
            new java.util.concurrent.CountDownLatch(1).await(); // blocks until the test kills it
        }
    }
}
