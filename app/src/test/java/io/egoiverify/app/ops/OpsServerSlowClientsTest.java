package io.egoiverify.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that send half a request must not silence the operations port: the JDK's server reads requests on the
 * threads that answer liveness, and without a bound waits for the rest forever. The JDK reads its bounds once per JVM,
 * when its first server starts, so each case runs the operations server in a JVM of its own.
 */
@Timeout(60)
class OpsServerSlowClientsTest {
    private static final int SLOW_CLIENTS = 8;
    private static final String PORT = "ops port ";

    @Test
    void livenessAnswersWhileMoreSlowClientsThanServerThreadsHoldHalfARequest() throws Exception {
        assertThat(livenessWithSlowClients(List.of())).isEqualTo(200);
    }

    @Test
    void withoutTheBoundTheSameClientsSilenceIt() throws Exception {
        // The control: the JDK's own default (no bound) restored; shows the case above tests something.
        assertThat(livenessWithSlowClients(List.of("-D" + OpsServer.MAX_REQUEST_TIME + "=-1"))).isEqualTo(-1);
    }

    /**
     * The status of /health/live while {@link #SLOW_CLIENTS} hold half a request, or -1 when it did not answer within
     * 6 s (the bound, 2 s, plus the JDK's timer tick and ample slack for a loaded machine).
     */
    private static int livenessWithSlowClients(List<String> jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.add(OpsServerSlowClientsTest.class.getName());
        Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<Socket> slow = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            while (line != null && !line.startsWith(PORT)) {
                line = out.readLine(); // logging's own start-up lines
            }
            assertThat(line).as("the child's port").isNotNull();
            int port = Integer.parseInt(line.substring(PORT.length()));
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                Socket s = new Socket("127.0.0.1", port);
                OutputStream o = s.getOutputStream();
                o.write("GET /metrics HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII)); // and no more
                o.flush();
                slow.add(s);
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
                        .timeout(Duration.ofSeconds(6)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException timedOut) {
                return -1;
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The child JVM: an operations server on a free port, which it prints, until killed. */
    public static void main(String[] args) throws Exception {
        OpsServer ops = new OpsServer("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
        System.out.println(PORT + ops.port());
        System.out.flush();
        Thread.currentThread().join(); // serves until the test kills this JVM
    }
}
