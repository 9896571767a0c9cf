package io.egoiverify.app.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Status query settings.
 *
 * @param advertisedHost host other lifecycle instances call this one on (its {@code application.server})
 * @param advertisedPort port they call; 0 = the port the operations server is bound to
 * @param forwardTimeout bound on fetching a status from the instance that holds the key
 * @param authToken      bearer token a query must carry, sent on the forwarding hop; null = no token required
 * @param secondAuthToken a second token accepted besides {@code authToken} (never sent), for rotations; null = none
 * @param url            operations URL of the instance the {@code status} command asks
 */
public record QueryConfig(String advertisedHost, int advertisedPort, Duration forwardTimeout, String authToken,
                          String secondAuthToken, URI url) {
    public QueryConfig {
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        Objects.requireNonNull(forwardTimeout, "forwardTimeout");
        Objects.requireNonNull(url, "url");
        if (advertisedPort < 0 || advertisedPort > 65_535) {
            throw new IllegalArgumentException("advertisedPort out of range: " + advertisedPort);
        }
        if (authToken != null && authToken.isEmpty()) {
            authToken = null;
        }
        if (secondAuthToken != null && secondAuthToken.isEmpty()) {
            secondAuthToken = null;
        }
        if (authToken == null && secondAuthToken != null) {
            throw new IllegalArgumentException("secondAuthToken needs authToken");
        }
    }

    /** The port to advertise once the operations server is bound to {@code boundPort}. */
    public int advertisedPort(int boundPort) {
        return advertisedPort == 0 ? boundPort : advertisedPort;
    }

    @Override
    public String toString() {
        return "QueryConfig[advertised=" + advertisedHost + ":" + advertisedPort + ", forwardTimeout="
                + forwardTimeout + ", authToken=" + (authToken == null ? "none" : "<secret>") + ", secondAuthToken="
                + (secondAuthToken == null ? "none" : "<secret>") + ", url=" + url + "]";
    }
}
