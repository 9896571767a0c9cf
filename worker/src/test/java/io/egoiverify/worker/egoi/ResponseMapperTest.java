package io.egoiverify.worker.egoi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResponseMapperTest {
    final ResponseMapper mapper = new ResponseMapper("Invalid_Code",
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    EgoiResult validate(int http, String body) {
        return mapper.answer(ResponseMapper.Call.VALIDATE, http, null, body.getBytes(StandardCharsets.UTF_8), "4321");
    }

    @Test
    void retryAfterAsHttpDate() {
        EgoiResult r = mapper.answer(ResponseMapper.Call.SEND, 429, "Thu, 01 Jan 2026 00:00:07 GMT", new byte[0], null);
        assertThat(r).isEqualTo(new EgoiResult.RateLimited(Optional.of(Duration.ofSeconds(7))));
    }

    @Test
    void wrongCodeStatusIsRecognisedOn2xxAnd4xx() {
        assertThat(validate(200, "{\"status\":\"Invalid_Code\"}")).isInstanceOf(EgoiResult.WrongCode.class);
        assertThat(validate(400, "{\"status\":\"Invalid_Code\"}")).isInstanceOf(EgoiResult.WrongCode.class);
    }

    @Test
    void unrecognisedStatusNeverCarriesTheCode() {
        EgoiResult r = validate(200, "{\"status\":\"code 4321 is odd\"}");
        assertThat(r).isInstanceOf(EgoiResult.UnrecognisedStatus.class);
        assertThat(r.describe()).doesNotContain("4321");
    }

    @Test
    void okWithoutRequestIdIsMalformed() {
        assertThat(mapper.answer(ResponseMapper.Call.SEND, 200, null, "{\"status\":\"Ok\"}".getBytes(), null))
                .isInstanceOf(EgoiResult.MalformedBody.class);
    }

    @Test
    void transportFailuresMapByWhetherTheRequestCanHaveLeft() {
        assertThat(mapper.failure(new java.util.concurrent.CompletionException(
                new org.apache.hc.core5.http.RequestNotExecutedException("closed"))))
                .isEqualTo(new EgoiResult.NotExecuted());
        assertThat(mapper.failure(new java.net.ConnectException("Connection refused")))
                .isEqualTo(new EgoiResult.ConnectionRefused());
        assertThat(mapper.failure(new org.apache.hc.client5.http.ConnectTimeoutException("slow")))
                .isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.CONNECT));
        assertThat(mapper.failure(new java.util.concurrent.TimeoutException("lease")))
                .isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.POOL));
        assertThat(mapper.failure(new java.net.SocketTimeoutException("read")))
                .isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
        assertThat(mapper.failure(new org.apache.hc.core5.http.ConnectionClosedException()).delivery())
                .isEqualTo(EgoiResult.Delivery.UNKNOWN);
    }

    @Test
    void jsonArrayIsMalformed() {
        assertThat(validate(200, "[]")).isInstanceOf(EgoiResult.MalformedBody.class);
    }
}
