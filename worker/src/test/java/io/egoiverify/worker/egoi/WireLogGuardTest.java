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
             EgoiClient client = new EgoiClient(EgoiConfig.forBaseUrl(sandbox.baseUrl()))) {
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
    void senderProfileNeverShowsItsKey() {
        SenderProfile p = new SenderProfile("default", "SECRET-API-KEY", "sender");
        assertThat(p.toString()).doesNotContain("SECRET").contains("***");
    }
}
