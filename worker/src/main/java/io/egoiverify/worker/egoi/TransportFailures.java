package io.egoiverify.worker.egoi;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.RequestNotExecutedException;

/**
 * Maps a transport failure to an {@link EgoiResult} by whether the request can have left this process; an answer
 * refused for its size is a malformed answer.
 */
final class TransportFailures {
    private TransportFailures() {
    }

    static EgoiResult map(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof BoundedAnswerConsumer.BodyTooLarge tooLarge) {
            // E-goi answered, with more than any of its answers holds: unreadable, like any other malformed answer
            return new EgoiResult.MalformedBody(tooLarge.status(), tooLarge.getMessage());
        }
        if (e instanceof RequestNotExecutedException) {
            // HttpClient's own verdict: the connection closed before the request was written
            return new EgoiResult.NotExecuted();
        }
        if (e instanceof ConnectTimeoutException) {
            return new EgoiResult.Timeout(EgoiResult.Phase.CONNECT);
        }
        if (e instanceof ConnectException) {
            return e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("timed out")
                    ? new EgoiResult.Timeout(EgoiResult.Phase.CONNECT)
                    : new EgoiResult.ConnectionRefused();
        }
        if (e instanceof SocketTimeoutException) {
            return new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE);
        }
        if (e instanceof TimeoutException) {
            // HttpClient's pool lease deadline: the request never left this process
            return new EgoiResult.Timeout(EgoiResult.Phase.POOL);
        }
        if (e instanceof IOException) {
            return new EgoiResult.ConnectionFailed(e.getClass().getSimpleName());
        }
        return new EgoiResult.ConnectionFailed(e.getClass().getSimpleName());
    }
}
