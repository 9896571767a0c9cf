package io.egoiverify.e2e.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/** Says whether a started process is ready to serve. Probes never throw: a failing probe means "not ready yet". */
@FunctionalInterface
public interface Probe {

    boolean ready();

    /** Ready when an HTTP GET answers 2xx. */
    static Probe http(String url) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build();
        return () -> {
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                return status >= 200 && status < 300;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
    }

    /** Ready when a TCP connection to the port succeeds. */
    static Probe tcp(String host, int port) {
        return () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        };
    }

    /** Ready once the log, since the process last started, contains a line matching {@code regex}. */
    static Probe logLine(Path log, String regex) {
        Pattern pattern = Pattern.compile(regex);
        return () -> {
            try {
                if (!Files.exists(log)) {
                    return false;
                }
                String text = Files.readString(log, StandardCharsets.ISO_8859_1);
                int lastStart = Math.max(0, text.lastIndexOf(ManagedProcess.START_BANNER));
                return pattern.matcher(text).region(lastStart, text.length()).find();
            } catch (IOException e) {
                return false;
            }
        };
    }

    /** How each application process of the stack (not the broker) says it is ready. */
    static Probe forProcess(String name, StackConfig.Ports ports) {
        if (name.equals("registry")) {
            return http(ports.registryUrl() + "/subjects");
        }
        if (name.equals("sandbox")) {
            return http(ports.sandboxUrl() + "/_sandbox/faults");
        }
        if (name.startsWith("lifecycle-")) {
            return health(ports.lifecycleBase() + Integer.parseInt(name.substring("lifecycle-".length())));
        }
        if (name.startsWith("worker-")) {
            return health(ports.workerBase() + Integer.parseInt(name.substring("worker-".length())));
        }
        return () -> true;
    }

    private static Probe health(int opsPort) {
        return http("http://" + StackConfig.HOST + ":" + opsPort + "/health/ready");
    }

    default Probe and(Probe other) {
        return () -> ready() && other.ready();
    }
}
