package io.egoiverify.worker.egoi;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoiverify.worker.sandbox.EgoiSandbox;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(30)
class WireLogGuardTest {

    @Test
    void clientConstructionForcesWireAndHeaderLoggersOffSoNoKeyOrCodeIsLogged() throws Exception {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        for (String name : WireLogGuard.LOGGERS) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            logger.setLevel(Level.TRACE); // as a careless configuration would
            logger.addAppender(captured);
        }
        try (EgoiSandbox sandbox = new EgoiSandbox().start("127.0.0.1", 0);
             EgoiClient client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.GUIDE, sandbox.baseUrl(Dialect.GUIDE)))) {
            for (String name : WireLogGuard.LOGGERS) {
                assertThat(((Logger) LoggerFactory.getLogger(name)).getLevel()).isEqualTo(Level.OFF);
            }
            SenderProfile profile = new SenderProfile("default", "SECRET-API-KEY", "sender");
            EgoiResult sent = client.send(profile, new SendRequest("+351910000009", "numeric", 4, 60, "{CODE}", null))
                    .get(10, TimeUnit.SECONDS);
            String id = ((EgoiResult.Sent) sent).providerRequestId();
            client.validate(profile, id, "9876").get(10, TimeUnit.SECONDS);
        } finally {
            for (String name : WireLogGuard.LOGGERS) {
                ((Logger) LoggerFactory.getLogger(name)).detachAppender(captured);
            }
        }
        assertThat(captured.list).isEmpty();
    }

    @Test
    void aV2CheckNeverLogsTheKeyTheSubmittedCodeOrTheCodeInTheStatusAnswer() throws Exception {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        root.setLevel(Level.TRACE); // everything this module and its libraries log
        root.addAppender(captured);
        String code;
        EgoiResult status;
        try (EgoiSandbox sandbox = new EgoiSandbox().start("127.0.0.1", 0);
             EgoiClient client = new EgoiClient(EgoiConfig.forBaseUrl(Dialect.V2, sandbox.baseUrl(Dialect.V2))
                     .withStatuses(new StatusTable(java.util.Map.of(StatusTable.Meaning.VERIFIED,
                             java.util.List.of("verified")))))) {
            SenderProfile profile = SenderProfile.v2("default", "SECRET-API-KEY", "1");
            EgoiResult sent = client.send(profile, new SendRequest("+351910000009", "numeric", 6, 60, "{CODE}", null))
                    .get(10, TimeUnit.SECONDS);
            String id = ((EgoiResult.Sent) sent).providerRequestId();
            code = sandbox.lastCode("351-910000009").orElseThrow();
            client.validate(profile, id, "000000".equals(code) ? "111111" : "000000").get(10, TimeUnit.SECONDS);
            // "pending" is not in this table: the unknown-status warning is logged, and must not carry the code
            status = client.status(profile, id).get(10, TimeUnit.SECONDS);
        } finally {
            root.detachAppender(captured);
            root.setLevel(before);
        }
        assertThat(status).isInstanceOf(EgoiResult.UnrecognisedStatus.class);
        assertThat(status.describe()).doesNotContain(code);
        assertThat(captured.list).anyMatch(e -> e.getFormattedMessage().contains("Unknown E-goi verify status"));
        for (ILoggingEvent e : captured.list) {
            assertThat(e.getFormattedMessage()).doesNotContain(code).doesNotContain("SECRET-API-KEY")
                    .doesNotContain("910000009");
        }
    }

    @Test
    void senderProfileNeverShowsItsKey() {
        SenderProfile p = new SenderProfile("default", "SECRET-API-KEY", "sender");
        assertThat(p.toString()).doesNotContain("SECRET").contains("***");
    }
}
