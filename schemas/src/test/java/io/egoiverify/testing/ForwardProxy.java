package io.egoiverify.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A forward HTTP proxy on loopback, for tests: it opens CONNECT tunnels (https targets) and passes absolute-form
 * requests on (plain http targets), can demand Basic credentials (407 with a challenge, keeping the connection as real
 * proxies do) and can refuse every call with a status of the test's choice (403, 502, ...). It counts what it passed
 * on, so that a test proves its calls went through it.
 *
 * <p>Written on the JDK: WireMock's browser proxying relays plain http but answers CONNECT by terminating TLS itself
 * (its own CA), asks for no proxy credentials and cannot refuse a tunnel; no maintained forward proxy for Java is among
 * the build's dependencies. One request per forwarded connection (the answer is passed on with
 * {@code Connection: close}); a tunnel lasts until either side closes it.
 */
public final class ForwardProxy implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "forward-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final AtomicInteger tunnels = new AtomicInteger();
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger authorized = new AtomicInteger();
    /** The {@code Proxy-Authorization} value a call must carry, or null: none needed. */
    private volatile String expectedAuthorization;
    /** The status every call is refused with, or 0: none refused. */
    private volatile int refuseWith;

    public ForwardProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://host:port}, as a user configures it. */
    public String url() {
        return "http://" + host() + ":" + port();
    }

    /** Demands Basic credentials {@code user:password} (null: none) of every call; others get a 407. */
    public ForwardProxy requireCredentials(String userInfo) {
        expectedAuthorization = userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Refuses every call (authorised or not) with {@code status} instead of passing it on; 0 passes calls on. */
    public ForwardProxy refuseWith(int status) {
        refuseWith = status;
        return this;
    }

    /** Tunnels opened (a CONNECT answered 200). */
    public int tunnels() {
        return tunnels.get();
    }

    /** Absolute-form requests passed on to their target. */
    public int forwarded() {
        return forwarded.get();
    }

    /** Calls refused (407 for missing or wrong credentials, or the {@link #refuseWith} status). */
    public int refused() {
        return refused.get();
    }

    /** Calls that carried the required credentials. */
    public int authorized() {
        return authorized.get();
    }

    /** Every request line received, e.g. {@code CONNECT 127.0.0.1:4431 HTTP/1.1} or {@code POST http://... HTTP/1.1}. */
    public List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            for (String head = readHead(in); head != null; head = readHead(in)) {
                String requestLine = head.substring(0, head.indexOf("\r\n"));
                requestLines.add(requestLine);
                String[] parts = requestLine.split(" ");
                int refusal = refusal(head);
                if (refusal != 0) {
                    in.readNBytes(contentLength(head));
                    refused.incrementAndGet();
                    refuse(out, refusal);
                    continue; // the client may answer a challenge on this connection
                }
                if (parts[0].equals("CONNECT")) {
                    tunnel(client, in, out, parts[1]);
                } else {
                    forward(in, out, head, parts[0], URI.create(parts[1]));
                }
                return;
            }
        } catch (IOException | RuntimeException gone) {
            // the client or the target closed the connection, or the proxy is closing
        } finally {
            open.remove(client);
        }
    }

    private int refusal(String head) {
        String expected = expectedAuthorization;
        if (expected != null) {
            if (!expected.equals(header(head, "proxy-authorization"))) {
                return 407;
            }
            authorized.incrementAndGet();
        }
        return refuseWith;
    }

    private static void refuse(OutputStream out, int status) throws IOException {
        byte[] page = ("<html><body><h1>" + status + " " + reason(status) + "</h1>test proxy</body></html>")
                .getBytes(StandardCharsets.US_ASCII);
        String challenge = status == 407 ? "Proxy-Authenticate: Basic realm=\"test-proxy\"\r\n" : "";
        out.write(("HTTP/1.1 " + status + " " + reason(status) + "\r\n" + challenge + "Content-Type: text/html\r\n"
                + "Content-Length: " + page.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(page);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 403 -> "Forbidden";
            case 407 -> "Proxy Authentication Required";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Refused";
        };
    }

    /** Opens a tunnel to {@code authority} ({@code host:port}) and relays bytes both ways until one side closes. */
    private void tunnel(Socket client, InputStream in, OutputStream out, String authority) throws IOException {
        int colon = authority.lastIndexOf(':');
        try (Socket target = new Socket()) {
            try {
                target.connect(new InetSocketAddress(authority.substring(0, colon),
                        Integer.parseInt(authority.substring(colon + 1))), 2_000);
            } catch (IOException unreachable) {
                refused.incrementAndGet();
                refuse(out, 502);
                return;
            }
            open.add(target);
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            tunnels.incrementAndGet();
            threads.execute(() -> SocketRelay.pipe(target, client));
            SocketRelay.pipe(client, target);
        } finally {
            open.removeIf(Socket::isClosed);
        }
    }

    /** Passes one absolute-form request on in origin form and its answer back, both with {@code Connection: close}. */
    private void forward(InputStream in, OutputStream out, String head, String method, URI uri) throws IOException {
        byte[] body = in.readNBytes(contentLength(head));
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        try (Socket target = new Socket()) {
            try {
                target.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2_000);
            } catch (IOException unreachable) {
                refused.incrementAndGet();
                refuse(out, 502);
                return;
            }
            open.add(target);
            OutputStream up = target.getOutputStream();
            up.write((method + " " + path + " HTTP/1.1\r\n" + withoutHopHeaders(head, true) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            up.write(body);
            up.flush();
            forwarded.incrementAndGet();
            InputStream down = target.getInputStream();
            String answer = readHead(down);
            if (answer == null) {
                return;
            }
            out.write((answer.substring(0, answer.indexOf("\r\n") + 2) + withoutHopHeaders(answer, false) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            down.transferTo(out);
            out.flush();
        } finally {
            open.removeIf(Socket::isClosed);
        }
    }

    /** The head's header lines without the hop-by-hop ones (and the proxy's credentials), plus a close. */
    private static String withoutHopHeaders(String head, boolean request) {
        List<String> kept = new ArrayList<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            String name = lines[i].substring(0, Math.max(0, lines[i].indexOf(':'))).strip().toLowerCase(Locale.ROOT);
            if (!name.isEmpty() && !Set.of("connection", "keep-alive", "proxy-connection", "proxy-authorization")
                    .contains(name)) {
                kept.add(lines[i]);
            }
        }
        kept.add("Connection: close");
        if (request) {
            kept.add("Via: 1.1 test-proxy");
        }
        return String.join("\r\n", kept) + "\r\n";
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        String value = header(head, "content-length");
        return value == null ? 0 : Integer.parseInt(value);
    }

    /** The head up to and including its blank line, read a byte at a time so that nothing after it is consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b = in.read(); b >= 0; b = in.read()) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == end.length) {
                String text = head.toString(StandardCharsets.US_ASCII);
                return text.substring(0, text.length() - 2); // the request line and headers, each ending in CRLF
            }
        }
        return null;
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
