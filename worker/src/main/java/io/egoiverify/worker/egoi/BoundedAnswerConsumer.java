package io.egoiverify.worker.egoi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;

/**
 * Reads one E-goi answer: status, {@code Retry-After} and a body of at most {@link #MAX_BODY} bytes. A longer body
 * fails the exchange with {@link BodyTooLarge} as soon as it passes the bound (the connection is closed, not read to
 * its end); {@link TransportFailures} makes it a malformed answer. E-goi's answers are a few hundred bytes.
 */
final class BoundedAnswerConsumer extends AbstractBinResponseConsumer<EgoiHttp.Answer> {
    static final int MAX_BODY = 64 * 1024;

    /** The answer's body passed {@link #MAX_BODY}; carries the answer's HTTP status. */
    static final class BodyTooLarge extends IOException {
        private final int status;

        BodyTooLarge(int status) {
            super("answer body over " + MAX_BODY + " bytes");
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private int status;
    private String retryAfter;
    /** Null when the answer has no body. */
    private ByteArrayOutputStream body;

    @Override
    protected void start(HttpResponse response, ContentType contentType) {
        status = response.getCode();
        Header h = response.getFirstHeader("Retry-After");
        retryAfter = h == null ? null : h.getValue();
        body = contentType == null ? null : new ByteArrayOutputStream();
    }

    @Override
    protected int capacityIncrement() {
        return Integer.MAX_VALUE;
    }

    @Override
    protected void data(ByteBuffer src, boolean endOfStream) throws IOException {
        if (src.remaining() > MAX_BODY - body.size()) {
            throw new BodyTooLarge(status);
        }
        byte[] chunk = new byte[src.remaining()];
        src.get(chunk);
        body.writeBytes(chunk);
    }

    @Override
    protected EgoiHttp.Answer buildResult() {
        return new EgoiHttp.Answer(status, retryAfter, body == null ? null : body.toByteArray());
    }

    @Override
    public void releaseResources() {
        body = null;
    }
}
