package io.egoiverify.lifecycle.streams;

import io.egoiverify.lifecycle.GrantedCommand;
import io.egoiverify.lifecycle.NumberNotice;
import io.egoiverify.lifecycle.NumberState;
import io.egoiverify.lifecycle.PermitVerdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Formats of the number guard's topics and store: a version byte, then the fields (strings as length + UTF-8, -1 for
 * null; instants as epoch millis; enums as explicit codes). Internal to this module, written and read only by the
 * lifecycle application, so no schema registry is involved (an outage of it cannot stall the guard's reading). The
 * number is never in them in clear: a permit request that carries its command holds it sealed.
 *
 * <p>Each value is written in the oldest version that can hold it, so that an instance of the previous release still
 * reads everything it can act on during a rolling upgrade: a notice without a command and a verdict for which no
 * command was issued are byte for byte what the previous release wrote.
 */
final class GuardSerdes {
    /** Notices, verdicts and number states: the first format. */
    private static final int VERSION_1 = 1;
    /** Notices: + the command the guard issues on grant. Verdicts: + the retry instant of a refused resend. */
    private static final int VERSION_2 = 2;
    /** Verdicts: + "command issued" (the retry instant may then be absent). */
    private static final int VERSION_3 = 3;
    private static final long NO_TIME = Long.MIN_VALUE;

    private GuardSerdes() {
    }

    interface Writer<T> {
        void write(DataOutputStream out, T value) throws IOException;
    }

    interface Reader<T> {
        /** Reads a value written in {@code version}, one of the serde's readable versions. */
        T read(DataInputStream in, int version) throws IOException;
    }

    /** Version 2 only for a request that carries its command (lifecycle.guard-issues-commands on). */
    static Serde<NumberNotice> notices() {
        return serde(n -> n.command() == null ? VERSION_1 : VERSION_2, VERSION_2, (out, n) -> {
            out.writeByte(code(n.kind()));
            string(out, n.numberHash());
            string(out, n.requestId());
            string(out, n.permitId());
            out.writeLong(n.at().toEpochMilli());
            if (n.command() != null) {
                command(out, n.command());
            }
        }, (in, version) -> new NumberNotice(noticeKind(in.readByte()), string(in), string(in), string(in),
                Instant.ofEpochMilli(in.readLong()), version >= VERSION_2 ? command(in) : null));
    }

    /**
     * Version 1 unless the verdict carries a retry instant (version 2: a refused resend) or says the guard issued the
     * command (version 3), so that an instance of the previous release reads every other verdict.
     */
    static Serde<PermitVerdict> verdicts() {
        return serde(v -> v.commandIssued() ? VERSION_3 : v.retryAt() == null ? VERSION_1 : VERSION_2, VERSION_3,
                (out, v) -> {
                    out.writeByte(code(v.kind()));
                    string(out, v.requestId());
                    string(out, v.permitId());
                    string(out, v.limit());
                    if (v.commandIssued()) {
                        out.writeLong(v.retryAt() == null ? NO_TIME : v.retryAt().toEpochMilli());
                        out.writeBoolean(true);
                    } else if (v.retryAt() != null) {
                        out.writeLong(v.retryAt().toEpochMilli());
                    }
                }, (in, version) -> {
                    PermitVerdict.Kind kind = verdictKind(in.readByte());
                    String requestId = string(in);
                    String permitId = string(in);
                    String limit = string(in);
                    long retry = version >= VERSION_2 ? in.readLong() : NO_TIME;
                    boolean issued = version >= VERSION_3 && in.readBoolean();
                    return new PermitVerdict(requestId, permitId, kind, limit,
                            retry == NO_TIME ? null : Instant.ofEpochMilli(retry), issued);
                });
    }

    private static void command(DataOutputStream out, GrantedCommand c) throws IOException {
        string(out, c.senderProfile());
        out.writeLong(c.deadline().toEpochMilli());
        string(out, c.sealedNumber());
        string(out, c.codeType());
        out.writeInt(c.codeSize());
        out.writeInt(c.ttlSeconds());
        string(out, c.message());
        string(out, c.group());
        string(out, c.providerRequestId());
        out.writeInt(c.sendCount());
    }

    private static GrantedCommand command(DataInputStream in) throws IOException {
        return new GrantedCommand(string(in), Instant.ofEpochMilli(in.readLong()), string(in), string(in),
                in.readInt(), in.readInt(), string(in), string(in), string(in), in.readInt());
    }

    static Serde<NumberState> numberStates() {
        return serde(s -> VERSION_1, VERSION_1, (out, s) -> {
            times(out, s.sends());
            times(out, s.failedChecks());
            out.writeInt(s.active().size());
            for (NumberState.Active a : s.active()) {
                string(out, a.requestId());
                string(out, a.permitId());
                out.writeLong(a.until().toEpochMilli());
            }
        }, (in, version) -> {
            List<Instant> sends = times(in);
            List<Instant> failed = times(in);
            // requestId and permitId (a length each, at least) and an instant
            int n = BoundedReads.fits(in, in.readInt(), 2 * Integer.BYTES + Long.BYTES);
            List<NumberState.Active> active = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                active.add(new NumberState.Active(string(in), string(in), Instant.ofEpochMilli(in.readLong())));
            }
            return new NumberState(sends, failed, active);
        });
    }

    /** Explicit, stable codes (never ordinals); they equal what version 1 wrote. */
    static int code(NumberNotice.Kind kind) {
        return switch (kind) {
            case PERMIT_REQUEST -> 0;
            case FAILED_CHECK -> 1;
            case ENDED -> 2;
            case RESEND_REQUEST -> 3;
        };
    }

    static NumberNotice.Kind noticeKind(int code) {
        for (NumberNotice.Kind k : NumberNotice.Kind.values()) {
            if (code(k) == code) {
                return k;
            }
        }
        throw new SerializationException("unknown number notice kind code " + code);
    }

    static int code(PermitVerdict.Kind kind) {
        return switch (kind) {
            case GRANTED -> 0;
            case REFUSED -> 1;
            case SUPERSEDED -> 2;
        };
    }

    static PermitVerdict.Kind verdictKind(int code) {
        for (PermitVerdict.Kind k : PermitVerdict.Kind.values()) {
            if (code(k) == code) {
                return k;
            }
        }
        throw new SerializationException("unknown permit verdict kind code " + code);
    }

    /**
     * @param version the version a value is written in
     * @param newest  the newest version the reader knows (it reads 1 to {@code newest})
     */
    private static <T> Serde<T> serde(ToIntFunction<T> version, int newest, Writer<T> writer, Reader<T> reader) {
        return Serdes.serdeFrom((topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(version.applyAsInt(value));
                writer.write(out, value);
            } catch (IOException e) {
                throw new SerializationException(e);
            }
            return bytes.toByteArray();
        }, (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                int v = in.readByte();
                if (v < VERSION_1 || v > newest) {
                    throw new SerializationException("unknown number guard format version " + v);
                }
                return reader.read(in, v);
            } catch (IOException | RuntimeException e) {
                throw e instanceof SerializationException se ? se
                        : new SerializationException("unreadable number guard record", e);
            }
        });
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

    private static void times(DataOutputStream out, List<Instant> times) throws IOException {
        out.writeInt(times.size());
        for (Instant t : times) {
            out.writeLong(t.toEpochMilli());
        }
    }

    private static List<Instant> times(DataInputStream in) throws IOException {
        int n = BoundedReads.fits(in, in.readInt(), Long.BYTES);
        List<Instant> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(Instant.ofEpochMilli(in.readLong()));
        }
        return list;
    }
}
