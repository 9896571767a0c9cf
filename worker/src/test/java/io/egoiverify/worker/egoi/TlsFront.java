package io.egoiverify.worker.egoi;

import io.egoiverify.testing.SocketRelay;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An https front on loopback for a plain-http server (the sandbox): it ends TLS and relays the bytes, so that a test
 * talks https to the sandbox as the client talks to E-goi. Its certificate, for {@code 127.0.0.1}, is made for the
 * run by the JDK's own keytool (the JDK has no API for it, and no certificate library is among the dependencies); a
 * client trusts it only through {@link #client}, a test-only trust configuration: the product has no setting for it.
 */
public final class TlsFront implements AutoCloseable {
    private static final char[] PASSWORD = "test-only".toCharArray();

    private final SSLServerSocket server;
    private final SSLContext trust;
    private final int targetPort;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tls-front");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();

    private TlsFront(KeyStore keys, int targetPort) throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        this.trust = SSLContext.getInstance("TLS");
        this.trust.init(null, tmf.getTrustManagers(), null);
        this.targetPort = targetPort;
        this.server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** A front for {@code 127.0.0.1:targetPort}, its key made in {@code dir}. */
    public static TlsFront of(Path dir, int targetPort) throws IOException, GeneralSecurityException,
            InterruptedException {
        Path store = dir.resolve("tls-front.p12");
        if (!Files.exists(store)) {
            Process keytool = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                            .toString(), "-genkeypair", "-alias", "front", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", new String(PASSWORD), "-keypass",
                    new String(PASSWORD), "-noprompt")).redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes());
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IOException("keytool failed: " + output);
            }
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        return new TlsFront(keys, targetPort);
    }

    /** {@code https://127.0.0.1:<port><path>}. */
    public URI url(String path) {
        return URI.create("https://127.0.0.1:" + server.getLocalPort() + path);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted (each a TLS session with a client, its handshake done or not). */
    public int connections() {
        return accepted.get();
    }

    /** A client for {@code config} that trusts this front's certificate (host names still verified). */
    public EgoiClient client(EgoiConfig config) {
        return new EgoiClient(config, Clock.systemUTC(), trust);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                open.add(client);
                threads.execute(() -> relay(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        try (client; Socket target = new Socket()) {
            target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
            open.add(target);
            threads.execute(() -> SocketRelay.pipe(target, client));
            SocketRelay.pipe(client, target);
        } catch (IOException gone) {
            // a failed handshake, or either side closed
        } finally {
            open.removeIf(Socket::isClosed);
        }
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
