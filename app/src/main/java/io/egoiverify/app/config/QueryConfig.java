package io.egoiverify.app.config;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

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
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.[0-9]{1,3}){3}");

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

    /**
     * True when the advertised host is a loopback address ({@code localhost}, {@code 127.x.x.x}, {@code ::1}): fine
     * for one instance, but instances on other machines that all advertise one cannot reach each other, and a status
     * query for a key held elsewhere answers 503. Decided without DNS.
     */
    public boolean advertisesLoopback() {
        String h = advertisedHost.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || LOOPBACK_V4.matcher(h).matches()
                || h.equals("::1") || h.equals("[::1]");
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
