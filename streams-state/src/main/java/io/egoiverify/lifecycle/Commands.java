package io.egoiverify.lifecycle;

import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import java.time.Instant;

/** Builds the worker's commands, for the lifecycle and for the number guard alike. */
final class Commands {
    private Commands() {
    }

    /**
     * @param action a {@code SendCode}, {@code CheckCode}, {@code ResendCode} or {@code CancelVerification}
     */
    static VerificationCommand of(String commandId, String requestId, Instant issuedAt, Instant deadline,
                                  String senderProfile, Object action) {
        return VerificationCommand.newBuilder().setCommandId(commandId).setRequestId(requestId).setIssuedAt(issuedAt)
                .setDeadline(deadline).setSenderProfile(senderProfile).setAction(action).build();
    }

    /** What E-goi needs to generate and text a code; {@code e164} is the number in clear (commands carry it). */
    static SendCode send(String e164, String codeType, int codeSize, int ttlSeconds, String message, String group) {
        return SendCode.newBuilder().setPhoneNumber(e164).setCodeType(codeType).setCodeSize(codeSize)
                .setTtlSeconds(ttlSeconds).setMessage(message).setGroup(group).build();
    }
}
