package io.egoiverify.worker.command;

import io.egoiverify.internal.CancelVerification;
import io.egoiverify.internal.CheckCode;
import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import java.time.Instant;
import java.util.UUID;

/** Commands as the lifecycle writes them, for unit tests. */
final class Commands {
    private Commands() {
    }

    static SendCode sendCode(String e164) {
        return SendCode.newBuilder().setPhoneNumber(e164).setCodeType("numeric").setCodeSize(4).setTtlSeconds(60)
                .setMessage("{CODE}").build();
    }

    static VerificationCommand of(Object action, Instant deadline) {
        return VerificationCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setRequestId("r1")
                .setIssuedAt(Instant.now()).setDeadline(deadline).setSenderProfile("default").setAction(action)
                .build();
    }

    static VerificationCommand send(Instant deadline) {
        return of(sendCode("+351910000000"), deadline);
    }

    static VerificationCommand check() {
        return of(CheckCode.newBuilder().setProviderRequestId("p").setSubmissionId("s").setCode("1234").build(),
                Instant.now().plusSeconds(30));
    }

    static VerificationCommand cancel() {
        return of(CancelVerification.newBuilder().setProviderRequestId("p").build(), Instant.now().plusSeconds(30));
    }

    static VerificationCommand resend(SendCode newSend) {
        return of(ResendCode.newBuilder().setProviderRequestId("p").setSendCount(2).setNewSend(newSend).build(),
                Instant.now().plusSeconds(30));
    }
}
