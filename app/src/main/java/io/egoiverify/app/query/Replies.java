package io.egoiverify.app.query;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes a JSON answer and closes the exchange. */
final class Replies {
    private Replies() {
    }

    static void send(HttpExchange ex, int status, String json) throws IOException {
        try (ex) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** 503 with {@code Retry-After}: nothing is wrong with the request; asked again, it will be answered. */
    static void unavailable(HttpExchange ex, String retryAfterSeconds, String why) throws IOException {
        ex.getResponseHeaders().set("Retry-After", retryAfterSeconds);
        send(ex, 503, StatusJson.error(why));
    }
}
