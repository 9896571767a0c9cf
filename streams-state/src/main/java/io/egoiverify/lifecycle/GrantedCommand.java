package io.egoiverify.lifecycle;

import io.egoiverify.internal.ResendCode;
import io.egoiverify.internal.SendCode;
import io.egoiverify.internal.VerificationCommand;
import java.time.Instant;
import java.util.Objects;

/**
 * The command a permit grants, carried by the permit request so that the number guard can issue it itself when it
 * grants (in the transaction of its verdict: one exactly-once hop fewer before the SMS). The number is sealed as in
 * the verification's state ({@link NumberKeys#seal}, requestId as associated data): the permit topic never carries
 * it in clear, and the guard unseals it only into the command it writes.
 *
 * <p>A send ({@code providerRequestId} null) becomes a {@code SendCode}; a resend a {@code ResendCode} whose
 * {@code newSend} is the sealed send (null when the verification keeps no sealed number).
 *
 * @param senderProfile     the verification's sender profile
 * @param deadline          the command deadline: min(send deadline, permit deadline); no E-goi call may start after
 *                          it, and the lifecycle awaits the result until it + resultGrace
 * @param sealedNumber      the number sealed for the verification's requestId; null only for a resend without one
 * @param codeType          E-goi codeType (null with {@code sealedNumber})
 * @param codeSize          code length
 * @param ttlSeconds        code TTL
 * @param message           SMS template (null with {@code sealedNumber})
 * @param group             E-goi group or null
 * @param providerRequestId E-goi's current id, for a resend; null for a send
 * @param sendCount         which code the command sends: 1 for the send, 2 for the first resend, …
 */
public record GrantedCommand(String senderProfile, Instant deadline, String sealedNumber, String codeType,
                             int codeSize, int ttlSeconds, String message, String group, String providerRequestId,
                             int sendCount) {
    public GrantedCommand {
        Objects.requireNonNull(senderProfile, "senderProfile");
        Objects.requireNonNull(deadline, "deadline");
        if (sealedNumber != null) {
            Objects.requireNonNull(codeType, "codeType");
            Objects.requireNonNull(message, "message");
        } else if (providerRequestId == null) {
            throw new IllegalArgumentException("a send needs the sealed number");
        }
    }

    /** A resend (ResendCode) rather than the first send (SendCode). */
    public boolean resend() {
        return providerRequestId != null;
    }

    /**
     * The command itself, the number unsealed into it (in memory only).
     *
     * @param keys the number key's derivatives (the same on every instance)
     */
    VerificationCommand command(String requestId, String commandId, Instant issuedAt, NumberKeys keys) {
        // A resend's number may have been sealed under a key since rotated: it goes out without it, as from a
        // verification that keeps none (V2 resends by E-goi's id). A send cannot: it fails, dead-lettered.
        String e164 = sealedNumber == null ? null
                : resend() ? keys.unsealOrNull(requestId, sealedNumber) : keys.unseal(requestId, sealedNumber);
        SendCode send = e164 == null ? null : Commands.send(e164, codeType, codeSize, ttlSeconds, message, group);
        Object action = !resend() ? send : ResendCode.newBuilder().setProviderRequestId(providerRequestId)
                .setSendCount(sendCount).setNewSend(send).build();
        return Commands.of(commandId, requestId, issuedAt, deadline, senderProfile, action);
    }

    @Override
    public String toString() {
        // The sealed number and the message are nobody's business in a log line.
        return "GrantedCommand[" + (resend() ? "resend " + sendCount : "send") + ", deadline=" + deadline + "]";
    }
}
