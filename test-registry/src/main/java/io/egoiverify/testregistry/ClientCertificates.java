package io.egoiverify.testregistry;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import java.util.Locale;
import javax.enterprise.context.ApplicationScoped;

/**
 * Lets a test require client certificates (mutual TLS) on the HTTPS port with {@code -Degoi.test.registry.client-auth
 * =required}: Quarkus 2.16 fixes {@code quarkus.http.ssl.client-auth} at build time, and one runner jar serves both
 * one-way and mutual TLS tests. The certificates are checked against {@code quarkus.http.ssl.certificate.trust-store-*}.
 * Without the property nothing changes.
 */
@ApplicationScoped
public class ClientCertificates implements HttpServerOptionsCustomizer {
    static final String PROPERTY = "egoi.test.registry.client-auth";

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        String mode = System.getProperty(PROPERTY, "");
        if (!mode.isBlank()) {
            options.setClientAuth(ClientAuth.valueOf(mode.trim().toUpperCase(Locale.ROOT)));
        }
    }
}
