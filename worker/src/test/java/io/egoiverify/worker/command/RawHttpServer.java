package io.egoiverify.worker.command;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 server that answers with the bytes a test writes itself: for answers no well-behaved server
 * gives (a body trickled byte by byte, a redirect elsewhere, a compressed bomb). One request per connection (its answer
 * should say {@code Connection: close}) or, after {@link #keepAlive()}, as many as the client sends. Every request is
 * recorded, head and body.
 */
final class RawHttpServer implements AutoCloseable {
    /** Writes the answer to one request; may block (the connection has its own thread). */
    interface Script {
        void answer(Request request, OutputStream out) throws IOException, InterruptedException;
    }

    /** One request as it arrived: its head (request line and headers) and body. */
    record Request(String head, byte[] body) {
        String requestLine() {
            return head.substring(0, head.indexOf("\r\n"));
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raw-http");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    /** Whether a connection ends with a reset (RST) instead of an orderly close once its answer is written. */
    private volatile boolean reset;
    /** Whether a connection serves further requests after an answer (see {@link #keepAlive()}). */
    private volatile boolean keepAlive;
    private volatile Script script = (request, out) -> out.write(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));

    RawHttpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    void answer(Script s) {
        this.script = s;
    }

    /**
     * Serves further requests on a connection after an answer, until the client closes it: for answers that leave the
     * connection open (no {@code Connection: close}), so that the client's pool keeps and reuses it.
     */
    void keepAlive() {
        this.keepAlive = true;
    }

    /** Ends every connection with a reset (RST) after its answer, e.g. half an answer. */
    void resetAfterAnswer() {
        this.reset = true;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /**
     * Connections still open: one ends once its answer is written (unless kept alive) or when the client closes it,
     * which the server sees when it next reads or writes (during a trickle: at its next byte).
     */
    int openConnections() {
        return open.size();
    }

    /** Connections accepted since the server started. */
    int acceptedConnections() {
        return accepted.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                accepted.incrementAndGet();
                threads.execute(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            do {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                byte[] body = in.readNBytes(contentLength(head));
                Request request = new Request(head, body);
                requests.add(request);
                script.answer(request, out);
                out.flush();
            } while (keepAlive);
            if (reset) {
                s.setSoLinger(true, 0);
            }
        } catch (IOException | InterruptedException gone) {
            // the client closed the connection, or the server is closing
        } finally {
            open.remove(s);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b = in.read(); b >= 0; b = in.read()) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == end.length) {
                return head.toString(StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }
}
