package io.egoiverify.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
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
 * is {@link #PASSWORD}; the certificates are valid for two days. Also the client's key and certificate in separate
 * PEM files, and an RSA client certificate as cert-manager mounts its Secret ({@link #certManager}).
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
    /** The client's certificate alone (the CA is in {@link #caPem}), PEM. */
    public final Path clientCrt;
    /** The client's private key alone, PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    public final Path clientKey;
    /** The same encrypted (PBES2) with {@link #PASSWORD} ({@code BEGIN ENCRYPTED PRIVATE KEY}). */
    public final Path clientEncryptedKey;
    /**
     * The same key in SEC1 form ({@code BEGIN EC PRIVATE KEY}, with the curve and public key as openssl writes them):
     * what cert-manager writes for an ECDSA key unless {@code privateKey.encoding: PKCS8}.
     */
    public final Path clientEcKey;
    /** The registry's private key, PKCS#8: a key that does not belong to the client's certificate. */
    public final Path serverKey;
    /**
     * cert-manager's Secret as a pod mounts it, for an RSA client certificate with cert-manager's defaults:
     * {@code tls.key} (PKCS#1, {@code BEGIN RSA PRIVATE KEY}), {@code tls.crt} (the certificate, signed by the CA)
     * and {@code ca.crt}.
     */
    public final Path certManager;
    /** The RSA client's key and a self-signed certificate, PKCS12: the key {@code certManager/tls.key} holds. */
    public final Path clientRsaP12;
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
        this.clientCrt = dir.resolve("client.crt");
        this.clientKey = dir.resolve("client.key");
        this.clientEncryptedKey = dir.resolve("client-encrypted.key");
        this.clientEcKey = dir.resolve("client-ec.key");
        this.serverKey = dir.resolve("server.key");
        this.certManager = dir.resolve("cert-manager");
        this.clientRsaP12 = dir.resolve("client-rsa.p12");
    }

    /** Makes every file in {@code dir}: about 17 keytool runs, three to five at a time. */
    public static TestPki create(Path dir) {
        TestPki pki = new TestPki(dir);
        pki.make();
        return pki;
    }

    private void make() {
        parallel(keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                        "CN=egoi-verify test CA", "-ext", "bc:c", "-validity", "2", "-keystore", file("ca.p12"),
                        "-storetype", "PKCS12"),
                keypair("server", serverP12), keypair("client", clientP12),
                keytool("-genkeypair", "-alias", "client-rsa", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                        "CN=client-rsa", "-validity", "2", "-keystore", clientRsaP12.toString(), "-storetype",
                        "PKCS12"));
        parallel(keytool("-exportcert", "-alias", "ca", "-keystore", file("ca.p12"), "-rfc", "-file", file("ca.crt")),
                keytool("-certreq", "-alias", "server", "-keystore", serverP12.toString(), "-file", file("server.csr")),
                keytool("-certreq", "-alias", "client", "-keystore", clientP12.toString(), "-file", file("client.csr")),
                keytool("-certreq", "-alias", "client-rsa", "-keystore", clientRsaP12.toString(), "-file",
                        file("client-rsa.csr")));
        parallel(keytool("-gencert", "-alias", "ca", "-keystore", file("ca.p12"), "-infile", file("server.csr"),
                        "-outfile", file("server.crt"), "-rfc", "-validity", "2", "-ext", "san=ip:127.0.0.1",
                        "-ext", "eku=serverAuth"),
                keytool("-gencert", "-alias", "ca", "-keystore", file("ca.p12"), "-infile", file("client.csr"),
                        "-outfile", file("client.crt"), "-rfc", "-validity", "2", "-ext", "eku=clientAuth"),
                keytool("-gencert", "-alias", "ca", "-keystore", file("ca.p12"), "-infile", file("client-rsa.csr"),
                        "-outfile", file("client-rsa.crt"), "-rfc", "-validity", "2", "-ext", "eku=clientAuth"),
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
        writeSeparatePemFiles();
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

    /** One PEM file per part, as cert-manager mounts them, and the forms cert-manager writes keys in. */
    private void writeSeparatePemFiles() {
        try {
            PrivateKey client = key(clientP12, "client");
            Files.writeString(clientKey, pem("PRIVATE KEY", client.getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(clientEncryptedKey, pem("ENCRYPTED PRIVATE KEY", encrypt(client.getEncoded())),
                    StandardCharsets.US_ASCII);
            Files.writeString(clientEcKey, pem("EC PRIVATE KEY", sec1((ECPrivateKey) client, clientCrt)),
                    StandardCharsets.US_ASCII);
            Files.writeString(serverKey, pem("PRIVATE KEY", key(serverP12, "server").getEncoded()),
                    StandardCharsets.US_ASCII);
            Files.createDirectories(certManager);
            // PKCS#8 is SEQUENCE { version, algorithm, OCTET STRING { the PKCS#1 RSAPrivateKey } }
            byte[] pkcs8 = key(clientRsaP12, "client-rsa").getEncoded();
            byte[] pkcs1 = Der.value(pkcs8, Der.start(pkcs8, 0) + 3 + 15);
            Files.writeString(certManager.resolve("tls.key"), pem("RSA PRIVATE KEY", pkcs1), StandardCharsets.US_ASCII);
            Files.writeString(certManager.resolve("tls.crt"), read("client-rsa.crt"), StandardCharsets.US_ASCII);
            Files.writeString(certManager.resolve("ca.crt"), read("ca.crt"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrivateKey key(Path p12, String alias) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            return (PrivateKey) store.getKey(alias, PASSWORD.toCharArray());
        }
    }

    /**
     * ECPrivateKey (RFC 5915) as openssl writes it: SEQUENCE { INTEGER 1, OCTET STRING d, [0] { the curve's OID },
     * [1] { BIT STRING the public point } }. The JDK's own encoding leaves out [0] and [1].
     */
    private static byte[] sec1(ECPrivateKey key, Path certificate) throws IOException, GeneralSecurityException {
        byte[] prime256v1 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};
        byte[] d = unsigned(key.getS(), 32);
        byte[] spki;
        try (InputStream in = Files.newInputStream(certificate)) {
            spki = CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey().getEncoded();
        }
        // SubjectPublicKeyInfo ends with the BIT STRING of the point: 03 42 00 04 X Y for P-256
        byte[] point = Arrays.copyOfRange(spki, spki.length - 68, spki.length);
        if (point[0] != 0x03 || point[1] != 0x42) {
            throw new IllegalStateException("not a P-256 public key");
        }
        return Der.tlv(0x30, Der.tlv(0x02, new byte[] {1}), Der.tlv(0x04, d), Der.tlv(0xa0, prime256v1),
                Der.tlv(0xa1, point));
    }

    private static byte[] unsigned(BigInteger value, int size) {
        byte[] bytes = value.toByteArray();
        byte[] out = new byte[size];
        int n = Math.min(bytes.length, size);
        System.arraycopy(bytes, bytes.length - n, out, size - n, n);
        return out;
    }

    /** Just enough DER to write and unwrap the keys above. */
    private static final class Der {
        static byte[] tlv(int tag, byte[]... contents) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (byte[] part : contents) {
                body.writeBytes(part);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(tag);
            int length = body.size();
            if (length >= 0x80) {
                int bytes = length > 0xff ? 2 : 1;
                out.write(0x80 | bytes);
                if (bytes == 2) {
                    out.write(length >> 8);
                }
            }
            out.write(length & 0xff);
            out.writeBytes(body.toByteArray());
            return out.toByteArray();
        }

        /** Where the contents of the element at {@code offset} start. */
        static int start(byte[] der, int offset) {
            int first = der[offset + 1] & 0xff;
            return offset + 2 + (first < 0x80 ? 0 : first & 0x7f);
        }

        /** The contents of the element at {@code offset}. */
        static byte[] value(byte[] der, int offset) {
            int first = der[offset + 1] & 0xff;
            int length = first;
            if (first >= 0x80) {
                length = 0;
                for (int i = 0; i < (first & 0x7f); i++) {
                    length = (length << 8) | (der[offset + 2 + i] & 0xff);
                }
            }
            int start = start(der, offset);
            return Arrays.copyOfRange(der, start, start + length);
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
