package io.egoiverify.testing;

import java.io.IOException;
import java.net.Socket;

/** One direction of a relay between two sockets, for the tests' proxies and TLS fronts. */
public final class SocketRelay {
    private SocketRelay() {
    }

    /** Copies {@code from}'s input to {@code to}'s output until the end, then closes both. */
    public static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException closed) {
            // either side went away
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
