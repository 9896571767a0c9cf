package io.egoiverify.worker.egoi;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Answer mapping of both dialects, and transport failures, without HTTP. */
class AnswersTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    final GuideAnswers guide = new GuideAnswers("Invalid_Code", CLOCK);
    final V2Answers v2 = new V2Answers(StatusTable.defaults(), CLOCK);

    /** The messages {@code source}'s logger writes while {@code calls} run. */
    static List<String> logged(Class<?> source, Runnable calls) {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger logger = (Logger) LoggerFactory.getLogger(source);
        logger.addAppender(captured);
        try {
            calls.run();
        } finally {
            logger.detachAppender(captured);
        }
        return captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    static EgoiHttp.Answer answer(int status, String body) {
        return new EgoiHttp.Answer(status, null, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /** Provider text is logged and quoted in details: never the code, nor a number in any format. */
    @Test
    void providerTextIsBoundedAndCarriesNoCodeAndNoNumber() {
        assertThat(AnswerParts.safe("bad code 4821 for you", "4821")).isEqualTo("<redacted>");
        for (String number : new String[] {"+351910000000", "351-910000000", "910 000 000", "(351) 910.000.000"}) {
            assertThat(AnswerParts.safe("unknown status " + number)).as(number).startsWith("unknown status ")
                    .contains("<digits>").doesNotContainPattern("[0-9]");
        }
        assertThat(AnswerParts.safe("HTTP 503 after 12500 ms")).as("short runs stay").isEqualTo("HTTP 503 after 12500 ms");
        assertThat(AnswerParts.safe("x".repeat(100))).hasSize(67);
    }

    @Test
    void retryAfterAsHttpDate() {
        EgoiResult r = guide.send(new EgoiHttp.Answer(429, "Thu, 01 Jan 2026 00:00:07 GMT", new byte[0]));
        assertThat(r).isEqualTo(new EgoiResult.RateLimited(Optional.of(Duration.ofSeconds(7))));
    }

    @Test
    void retryAfterIsCappedAtAnHour() {
        for (String huge : List.of("99999999999999999", "3601", "123456789012345678901234567890",
                "Fri, 01 Jan 2027 00:00:00 GMT")) {
            assertThat(v2.send(new EgoiHttp.Answer(429, huge, new byte[0]))).as(huge)
                    .isEqualTo(new EgoiResult.RateLimited(Optional.of(Duration.ofHours(1))));
        }
        assertThat(AnswerParts.retryAfter("3600", CLOCK)).contains(Duration.ofHours(1));
        assertThat(AnswerParts.retryAfter("120", CLOCK)).contains(Duration.ofSeconds(120));
        assertThat(AnswerParts.retryAfter("-5", CLOCK)).contains(Duration.ZERO);
        assertThat(AnswerParts.retryAfter("soon", CLOCK)).isEmpty();
    }

    @Test
    void guideWrongCodeStatusIsRecognisedOn2xxAnd4xx() {
        assertThat(guide.validate(answer(200, "{\"status\":\"Invalid_Code\"}"), "4321"))
                .isInstanceOf(EgoiResult.WrongCode.class);
        assertThat(guide.validate(answer(400, "{\"status\":\"Invalid_Code\"}"), "4321"))
                .isInstanceOf(EgoiResult.WrongCode.class);
    }

    @Test
    void guideUnrecognisedStatusNeverCarriesTheCode() {
        EgoiResult r = guide.validate(answer(200, "{\"status\":\"code 4321 is odd\"}"), "4321");
        assertThat(r).isInstanceOf(EgoiResult.UnrecognisedStatus.class);
        assertThat(r.describe()).doesNotContain("4321");
    }

    @Test
    void guideOkWithoutRequestIdIsMalformed() {
        assertThat(guide.send(answer(200, "{\"status\":\"Ok\"}"))).isInstanceOf(EgoiResult.MalformedBody.class);
        assertThat(guide.validate(answer(200, "[]"), "1")).isInstanceOf(EgoiResult.MalformedBody.class);
    }

    @Test
    void v2ValidateIsVerifiedOnlyWhenTheAnswerSaysSoItself() {
        assertThat(v2.validate(answer(200, "[{\"verifyId\":\"v1\"}]"), "1234"))
                .isEqualTo(new EgoiResult.Unconfirmed(200));
        assertThat(v2.validate(answer(200, "{\"verifyId\":\"v1\",\"status\":\"verified\"}"), "1234"))
                .isEqualTo(new EgoiResult.Verified());
        assertThat(v2.validate(answer(200, "[{\"verifyId\":\"v1\",\"status\":\"Approved\"}]"), "1234"))
                .isEqualTo(new EgoiResult.Verified());
        assertThat(v2.validate(answer(200, "{\"status\":\"pending\"}"), "1234"))
                .isEqualTo(new EgoiResult.Unconfirmed(200));
        assertThat(v2.validate(answer(400, "{\"title\":\"Bad Request\"}"), "1234"))
                .isEqualTo(new EgoiResult.Unconfirmed(400));
        assertThat(v2.validate(answer(404, null), "1234")).isEqualTo(new EgoiResult.Unconfirmed(404));
        assertThat(v2.validate(answer(401, "{\"title\":\"Unauthorized\"}"), "1234"))
                .isEqualTo(new EgoiResult.Rejected(401, "Unauthorized"));
        assertThat(v2.validate(answer(500, null), "1234")).isEqualTo(new EgoiResult.ServerError(500));
    }

    @Test
    void v2StatusGoesThroughTheTable() {
        assertThat(v2.status(answer(200, "{\"status\":\"pending\",\"code\":\"777\"}"), null))
                .isEqualTo(new EgoiResult.Pending("pending"));
        assertThat(v2.status(answer(200, "{\"status\":\"VALIDATED\"}"), null)).isEqualTo(new EgoiResult.Verified());
        assertThat(v2.status(answer(200, "{\"status\":\"expired\"}"), null)).isEqualTo(new EgoiResult.Expired());
        assertThat(v2.status(answer(200, "{\"status\":\"canceled\"}"), null)).isEqualTo(new EgoiResult.Cancelled());
        assertThat(v2.status(answer(200, "{\"status\":\"cancelled\"}"), null)).isEqualTo(new EgoiResult.Cancelled());
        assertThat(v2.status(answer(200, "{\"code\":\"777\"}"), null)).isInstanceOf(EgoiResult.MalformedBody.class);
        assertThat(v2.status(answer(404, "{\"title\":\"Not Found\"}"), null))
                .isEqualTo(new EgoiResult.Rejected(404, "Not Found"));
    }

    @Test
    void anUnknownStatusIsLoggedOncePerDistinctValueAndNeverWithTheCode() {
        List<String> lines = logged(V2Answers.class, () -> {
            EgoiResult odd = v2.status(answer(200, "{\"status\":\"blocked\",\"code\":\"987654\"}"), null);
            v2.status(answer(200, "{\"status\":\"blocked\",\"code\":\"987654\"}"), null);
            EgoiResult leaky = v2.status(answer(200, "{\"status\":\"code-987654\",\"code\":\"987654\"}"), null);
            v2.status(answer(200, "{\"status\":\"held\",\"code\":\"987654\"}"), null);
            assertThat(odd).isEqualTo(new EgoiResult.UnrecognisedStatus(200, "blocked"));
            assertThat(leaky.describe()).doesNotContain("987654").contains("<redacted>");
        });
        assertThat(lines).hasSize(3);
        assertThat(lines).noneMatch(l -> l.contains("987654"));
    }

    /** A guide provider answering a new or the same odd status on every call writes one warning per distinct one. */
    @Test
    void aGuideUnrecognisedStatusIsLoggedOncePerDistinctValue() {
        List<String> lines = logged(GuideAnswers.class, () -> {
            for (int i = 0; i < 1_000; i++) {
                assertThat(guide.validate(answer(200, "{\"status\":\"Pending\"}"), "4321"))
                        .isEqualTo(new EgoiResult.UnrecognisedStatus(200, "Pending"));
                guide.send(answer(200, "{\"status\":\"Queued\"}"));
            }
            for (int i = 0; i < 1_000; i++) {
                assertThat(guide.validate(answer(200, "{\"status\":\"odd-" + i + "\"}"), "4321"))
                        .isEqualTo(new EgoiResult.UnrecognisedStatus(200, "odd-" + i));
            }
        });
        assertThat(lines).filteredOn(l -> l.contains("'Pending'")).hasSize(1);
        assertThat(lines).filteredOn(l -> l.contains("'Queued'")).hasSize(1);
        assertThat(lines).as("bounded: 2 + 254 invented statuses, then silence").hasSize(256);
    }

    /** An id no real E-goi answer has: the send's outcome is unknown at once, not a SENT the lifecycle cannot take. */
    @Test
    void aSendAnsweredWithAnIdTooLongToCarryIsMalformed() {
        String longId = "v".repeat(AnswerParts.MAX_PROVIDER_ID_LENGTH + 1);
        String maxId = "v".repeat(AnswerParts.MAX_PROVIDER_ID_LENGTH);
        assertThat(v2.send(answer(201, "{\"verifyId\":\"" + longId + "\"}")))
                .isEqualTo(new EgoiResult.MalformedBody(201, "verifyId of 257 characters (at most 256)"));
        assertThat(v2.send(answer(201, "{\"verifyId\":\"" + maxId + "\"}"))).isEqualTo(new EgoiResult.Sent(maxId));
        assertThat(v2.resend(answer(200, "[{\"verifyId\":\"" + longId + "\"}]")))
                .isInstanceOf(EgoiResult.MalformedBody.class);
        assertThat(v2.resend(answer(200, "[{\"verifyId\":\"r2\"}]"))).isEqualTo(new EgoiResult.Sent("r2"));
        assertThat(guide.send(answer(200, "{\"status\":\"Ok\",\"requestId\":\"" + longId + "\"}")))
                .isEqualTo(new EgoiResult.MalformedBody(200, "status Ok with requestId of 257 characters (at most 256)"));
        assertThat(guide.send(answer(200, "{\"status\":\"Ok\",\"requestId\":\"g1\"}")))
                .isEqualTo(new EgoiResult.Sent("g1"));
    }

    @Test
    void v2SendNeedsAVerifyId() {
        assertThat(v2.send(answer(201, "{\"verifyId\":\"v9\"}"))).isEqualTo(new EgoiResult.Sent("v9"));
        assertThat(v2.send(answer(201, "{}"))).isInstanceOf(EgoiResult.MalformedBody.class);
        assertThat(v2.send(answer(201, "{\"verifyId\": "))).isInstanceOf(EgoiResult.MalformedBody.class);
        assertThat(v2.send(answer(400, "{\"type\":\"t\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"to "
                + "351-910000000 is odd\"}"))).isEqualTo(new EgoiResult.Rejected(400, "Bad Request"));
    }

    @Test
    void v2ResendAdoptsTheIdItIsGivenOrNone() {
        assertThat(v2.resend(answer(200, "[{\"verifyId\":\"new\"}]"))).isEqualTo(new EgoiResult.Sent("new"));
        assertThat(v2.resend(answer(200, "[]"))).isEqualTo(new EgoiResult.Sent(null));
        assertThat(v2.resend(answer(200, ""))).isEqualTo(new EgoiResult.Sent(null));
    }

    @Test
    void transportFailuresMapByWhetherTheRequestCanHaveLeft() {
        assertThat(TransportFailures.map(new java.util.concurrent.CompletionException(
                new org.apache.hc.core5.http.RequestNotExecutedException("closed"))))
                .isEqualTo(new EgoiResult.NotExecuted());
        assertThat(TransportFailures.map(new java.net.ConnectException("Connection refused")))
                .isEqualTo(new EgoiResult.ConnectionRefused());
        assertThat(TransportFailures.map(new org.apache.hc.client5.http.ConnectTimeoutException("slow")))
                .isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.CONNECT));
        assertThat(TransportFailures.map(new java.util.concurrent.TimeoutException("lease")))
                .isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.POOL));
        assertThat(TransportFailures.map(new java.net.SocketTimeoutException("read")))
                .isEqualTo(new EgoiResult.Timeout(EgoiResult.Phase.RESPONSE));
        assertThat(TransportFailures.map(new org.apache.hc.core5.http.ConnectionClosedException()).delivery())
                .isEqualTo(EgoiResult.Delivery.UNKNOWN);
    }
}
