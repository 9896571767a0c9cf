package io.egoiverify.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;

/**
 * A throwaway private CA, made at test time with the JDK's {@code keytool}: a server certificate for
 * {@code IP:127.0.0.1} only (so {@code https://localhost:...} fails host name verification) and a client
 * certificate, both signed by the CA, and the CA as every kind of trust store a user may have. Every store's password
 * is {@link #PASSWORD}; the certificates are valid for two days.
 */
public final class TestPki {
    public static final String PASSWORD = "pki-test-pass";
    private static final String PBE = "PBEWithHmacSHA256AndAES_256";

    /** The CA certificate, PEM (cert-manager names it {@code ca.crt}). */
    public final Path caPem;
    /** A PEM bundle as distributions ship them: comment lines, an unrelated certificate, then the CA. */
    public final Path caBundlePem;
    public final Path truststoreP12;
    public final Path truststoreJks;
    /** The registry's key and chain, PKCS12. */
    public final Path serverP12;
    /** The client's key and chain, PKCS12. */
    public final Path clientP12;
    /** The client's PKCS#8 key and chain in one PEM file, unencrypted. */
    public final Path clientPem;
    /** The same with the key encrypted (PBES2) with {@link #PASSWORD}. */
    public final Path clientEncryptedPem;
    private final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("ca.crt");
        this.caBundlePem = dir.resolve("ca-bundle.pem");
        this.truststoreP12 = dir.resolve("truststore.p12");
        this.truststoreJks = dir.resolve("truststore.jks");
        this.serverP12 = dir.resolve("server.p12");
        this.clientP12 = dir.resolve("client.p12");
        this.clientPem = dir.resolve("client.pem");
        this.clientEncryptedPem = dir.resolve("client-encrypted.pem");
    }

    /** Makes every file in {@code dir}: about 14 keytool runs, two or four at a time. */
    public static TestPki create(Path dir) {
        TestPki pki = new TestPki(dir);
        pki.make();
        return pki;
    }

    private void make() {
        parallel(keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                        "CN=egoi-verify test CA", "-ext", "bc:c", "-validity", "2", "-keystore", file("ca.p12"),
                        "-storetype", "PKCS12"),
                keypair("server", serverP12), keypair("client", clientP12));
        parallel(keytool("-exportcert", "-alias", "ca", "-keystore", file("ca.p12"), "-rfc", "-file", file("ca.crt")),
                keytool("-certreq", "-alias", "server", "-keystore", serverP12.toString(), "-file", file("server.csr")),
                keytool("-certreq", "-alias", "client", "-keystore", clientP12.toString(), "-file", file("client.csr")));
        parallel(keytool("-gencert", "-alias", "ca", "-keystore", file("ca.p12"), "-infile", file("server.csr"),
                        "-outfile", file("server.crt"), "-rfc", "-validity", "2", "-ext", "san=ip:127.0.0.1",
                        "-ext", "eku=serverAuth"),
                keytool("-gencert", "-alias", "ca", "-keystore", file("ca.p12"), "-infile", file("client.csr"),
                        "-outfile", file("client.crt"), "-rfc", "-validity", "2", "-ext", "eku=clientAuth"),
                keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.crt"), "-keystore",
                        truststoreP12.toString(), "-storetype", "PKCS12"),
                keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.crt"), "-keystore",
                        truststoreJks.toString(), "-storetype", "JKS"));
        // keytool installs a reply with its chain; the CA need not be in the key store.
        write("server-chain.crt", read("server.crt") + read("ca.crt"));
        write("client-chain.crt", read("client.crt") + read("ca.crt"));
        parallel(keytool("-importcert", "-noprompt", "-alias", "server", "-file", file("server-chain.crt"),
                        "-keystore", serverP12.toString()),
                keytool("-importcert", "-noprompt", "-alias", "client", "-file", file("client-chain.crt"),
                        "-keystore", clientP12.toString()));
        write("ca-bundle.pem", "# An unrelated certificate first, as in a distribution's bundle\n"
                + read("client.crt") + "\n# egoi-verify test CA\n" + read("ca.crt"));
        writePemKeyStores();
    }

    private List<String> keypair(String alias, Path store) {
        return keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + alias, "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12");
    }

    /** Kafka's PEM key store layout: the PKCS#8 key, then the chain. */
    private void writePemKeyStores() {
        try (InputStream in = Files.newInputStream(clientP12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            byte[] pkcs8 = store.getKey("client", PASSWORD.toCharArray()).getEncoded();
            StringBuilder chain = new StringBuilder();
            for (Certificate c : store.getCertificateChain("client")) {
                chain.append(pem("CERTIFICATE", c.getEncoded()));
            }
            Files.writeString(clientPem, pem("PRIVATE KEY", pkcs8) + chain, StandardCharsets.US_ASCII);
            Files.writeString(clientEncryptedPem, pem("ENCRYPTED PRIVATE KEY", encrypt(pkcs8)) + chain,
                    StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PBES2 (PBKDF2 with HMAC-SHA256, AES-256-CBC), what {@code openssl pkcs8 -topk8} writes by default. */
    private static byte[] encrypt(byte[] pkcs8) throws GeneralSecurityException, IOException {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        random.nextBytes(salt);
        random.nextBytes(iv);
        Cipher cipher = Cipher.getInstance(PBE);
        cipher.init(Cipher.ENCRYPT_MODE, SecretKeyFactory.getInstance(PBE)
                .generateSecret(new PBEKeySpec(PASSWORD.toCharArray())),
                new PBEParameterSpec(salt, 10_000, new IvParameterSpec(iv)));
        // Named PBES2, its standard OID: the JDK cannot encode the cipher's own name as an algorithm identifier.
        AlgorithmParameters pbes2 = AlgorithmParameters.getInstance("PBES2");
        pbes2.init(cipher.getParameters().getEncoded());
        return new EncryptedPrivateKeyInfo(pbes2, cipher.doFinal(pkcs8)).getEncoded();
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived JVM: C1 only starts faster.
        command.add("-J-XX:TieredStopAtLevel=1");
        command.add("-J-XX:+UseSerialGC");
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", PASSWORD));
        return command;
    }

    @SafeVarargs
    private void parallel(List<String>... commands) {
        List<Process> started = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (List<String> command : commands) {
                Path log = Files.createTempFile(dir, "keytool-", ".log");
                logs.add(log);
                started.add(new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start());
            }
            for (int i = 0; i < started.size(); i++) {
                Process p = started.get(i);
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("keytool did not finish: " + commands[i]);
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("keytool failed (" + p.exitValue() + "): " + commands[i] + "\n"
                            + Files.readString(logs.get(i)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            started.forEach(Process::destroyForcibly);
        }
    }
}
