package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.InFlight;
import io.egoiverify.lifecycle.ResendPolicy;
import io.egoiverify.lifecycle.Status;
import io.egoiverify.lifecycle.VerificationState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The {@code verifications} store's value format: a version byte, then the fields in declaration order (strings as
 * length + UTF-8, -1 for null; instants as epoch millis, {@link Long#MIN_VALUE} for null; the status as an explicit
 * code). Internal to this module: a new version byte is added when a field is, and the reader keeps reading the old
 * ones (the previous release's bytes are test resources, read by {@code StoredFormatsTest}). A length or count is
 * checked against the bytes left before anything is allocated for it.
 */
final class StateSerde implements Serde<VerificationState>, Serializer<VerificationState>,
        Deserializer<VerificationState> {
    /** Version 3: resend (send count, last send, max sends, cooldown, sealed resend parameters, parked resend). */
    private static final byte VERSION = 3;
    /** Version 2: abuse protection (number hash, permit id, parked send). */
    private static final byte VERSION_2 = 2;
    /** Version 1: the first. */
    private static final byte VERSION_1 = 1;
    private static final long NULL_TIME = Long.MIN_VALUE;

    /** The resend policy a verification stored before version 3 gets, by its sender profile. */
    private final Function<String, ResendPolicy> legacyResend;

    /** Reads states older than version 3 with the default resend policy. */
    StateSerde() {
        this(profile -> ResendPolicy.DEFAULT);
    }

    /**
     * @param legacyResend the resend policy that applies to a verification stored before resend existed (by its
     *                     sender profile): today's configuration, since nothing else is known
     */
    StateSerde(Function<String, ResendPolicy> legacyResend) {
        this.legacyResend = legacyResend;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public Serializer<VerificationState> serializer() {
        return this;
    }

    @Override
    public Deserializer<VerificationState> deserializer() {
        return this;
    }

    @Override
    public byte[] serialize(String topic, VerificationState s) {
        if (s == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            string(out, s.requestId());
            out.writeByte(code(s.status()));
            out.writeInt(s.metadata().size());
            for (Map.Entry<String, String> e : s.metadata().entrySet()) {
                string(out, e.getKey());
                string(out, e.getValue());
            }
            string(out, s.senderProfile());
            string(out, s.phoneMasked());
            out.writeInt(s.codeSize());
            out.writeInt(s.ttlSeconds());
            out.writeInt(s.maxAttempts());
            out.writeInt(s.wrongCodes());
            string(out, s.providerRequestId());
            time(out, s.expiresAt());
            out.writeBoolean(s.inFlight() != null);
            if (s.inFlight() != null) {
                string(out, s.inFlight().commandId());
                string(out, s.inFlight().submissionId());
                time(out, s.inFlight().issuedAt());
                time(out, s.inFlight().deadline());
            }
            strings(out, s.checkedSubmissions());
            strings(out, s.otherSubmissions());
            string(out, s.cancelReason());
            string(out, s.failureReason());
            time(out, s.wakeAt());
            string(out, s.numberHash());
            string(out, s.permitId());
            out.writeBoolean(s.pendingSend() != null);
            if (s.pendingSend() != null) {
                string(out, s.pendingSend().sealedNumber());
                string(out, s.pendingSend().codeType());
                string(out, s.pendingSend().message());
                string(out, s.pendingSend().group());
                time(out, s.pendingSend().sendDeadline());
            }
            out.writeInt(s.sendCount());
            time(out, s.lastSendAt());
            out.writeInt(s.maxSends());
            out.writeLong(s.resendCooldown().toMillis());
            out.writeBoolean(s.resendSeed() != null);
            if (s.resendSeed() != null) {
                string(out, s.resendSeed().sealedNumber());
                string(out, s.resendSeed().codeType());
                string(out, s.resendSeed().message());
                string(out, s.resendSeed().group());
            }
            out.writeBoolean(s.pendingResend() != null);
            if (s.pendingResend() != null) {
                string(out, s.pendingResend().permitId());
                time(out, s.pendingResend().deadline());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public VerificationState deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte version = in.readByte();
            if (version < VERSION_1 || version > VERSION) {
                throw new SerializationException("unknown verification state format version " + version);
            }
            String requestId = string(in);
            Status status = status(in.readByte());
            int entries = BoundedReads.fits(in, in.readInt(), 2 * Integer.BYTES);
            Map<String, String> metadata = new LinkedHashMap<>();
            for (int i = 0; i < entries; i++) {
                metadata.put(string(in), string(in));
            }
            String profile = string(in);
            String masked = string(in);
            int codeSize = in.readInt();
            int ttl = in.readInt();
            int maxAttempts = in.readInt();
            int wrong = in.readInt();
            String providerRequestId = string(in);
            Instant expiresAt = time(in);
            InFlight inFlight = in.readBoolean() ? new InFlight(string(in), string(in), time(in), time(in)) : null;
            List<String> checked = strings(in);
            List<String> other = strings(in);
            String cancelReason = string(in);
            String failureReason = string(in);
            Instant wakeAt = time(in);
            String numberHash = null;
            String permitId = null;
            VerificationState.PendingSend pending = null;
            if (version >= VERSION_2) {
                numberHash = string(in);
                permitId = string(in);
                if (in.readBoolean()) {
                    pending = new VerificationState.PendingSend(string(in), string(in), string(in), string(in),
                            time(in));
                }
            }
            int sendCount = 0;
            Instant lastSendAt = null;
            int maxSends = 0;
            Duration cooldown = Duration.ZERO;
            VerificationState.SealedSend seed = null;
            VerificationState.PendingResend pendingResend = null;
            if (version >= VERSION) {
                sendCount = in.readInt();
                lastSendAt = time(in);
                maxSends = in.readInt();
                cooldown = Duration.ofMillis(in.readLong());
                if (in.readBoolean()) {
                    seed = new VerificationState.SealedSend(string(in), string(in), string(in), string(in));
                }
                if (in.readBoolean()) {
                    pendingResend = new VerificationState.PendingResend(string(in), time(in));
                }
            } else {
                // Stored before resend existed: its one code (if sent) started expiresAt − TTL; an admitted
                // verification gets today's resend policy of its profile; nothing was sealed for a new send (the
                // guide dialect cannot resend it).
                if (providerRequestId != null && expiresAt != null) {
                    sendCount = 1;
                    lastSendAt = expiresAt.minusSeconds(ttl);
                }
                if (masked != null) {
                    ResendPolicy policy = legacyResend.apply(profile);
                    maxSends = policy.maxSends();
                    cooldown = policy.cooldown();
                }
            }
            return new VerificationState(requestId, status, metadata, profile, masked, codeSize, ttl, maxAttempts,
                    wrong, providerRequestId, expiresAt, inFlight, checked, other, cancelReason, failureReason,
                    wakeAt, numberHash, permitId, pending, sendCount, lastSendAt, maxSends, cooldown, seed,
                    pendingResend);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("unreadable verification state", e);
        }
    }

    /**
     * The stored code of each status: explicit and stable, never the enum's ordinal (a reordered or inserted constant
     * must not change what stored bytes mean). Codes 0-8 are what format versions 1 and 2 stored.
     */
    static int code(Status status) {
        return switch (status) {
            case CANCEL_PENDING -> 0;
            case SENDING -> 1;
            case SENT -> 2;
            case CHECKING -> 3;
            case VERIFIED -> 4;
            case EXPIRED -> 5;
            case CANCELLED -> 6;
            case FAILED -> 7;
            case AWAITING_PERMIT -> 8;
            case AWAITING_RESEND_PERMIT -> 9;
            case RESENDING -> 10;
        };
    }

    static Status status(int code) {
        for (Status s : Status.values()) {
            if (code(s) == code) {
                return s;
            }
        }
        throw new SerializationException("unknown verification status code " + code);
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] b = new byte[BoundedReads.fits(in, length, 1)];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void strings(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            string(out, s);
        }
    }

    private static List<String> strings(DataInputStream in) throws IOException {
        int n = BoundedReads.fits(in, in.readInt(), Integer.BYTES);
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(string(in));
        }
        return list;
    }

    private static void time(DataOutputStream out, Instant t) throws IOException {
        out.writeLong(t == null ? NULL_TIME : t.toEpochMilli());
    }

    private static Instant time(DataInputStream in) throws IOException {
        long millis = in.readLong();
        return millis == NULL_TIME ? null : Instant.ofEpochMilli(millis);
    }
}
