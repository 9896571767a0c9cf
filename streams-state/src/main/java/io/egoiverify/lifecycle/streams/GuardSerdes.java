package io.egoiverify.lifecycle.streams;

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
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Formats of the number guard's topics and store: a version byte, then the fields (strings as length + UTF-8, -1 for
 * null; instants as epoch millis; enums as explicit codes). Internal to this module, written and read only by the lifecycle application, so
 * no schema registry is involved (an outage of it cannot stall the guard). None of them can hold a phone number.
 */
final class GuardSerdes {
    private static final byte VERSION = 1;

    private GuardSerdes() {
    }

    interface Writer<T> {
        void write(DataOutputStream out, T value) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static Serde<NumberNotice> notices() {
        return serde((out, n) -> {
            out.writeByte(code(n.kind()));
            string(out, n.numberHash());
            string(out, n.requestId());
            string(out, n.permitId());
            out.writeLong(n.at().toEpochMilli());
        }, in -> new NumberNotice(noticeKind(in.readByte()), string(in), string(in), string(in),
                Instant.ofEpochMilli(in.readLong())));
    }

    static Serde<PermitVerdict> verdicts() {
        return serde((out, v) -> {
            out.writeByte(code(v.kind()));
            string(out, v.requestId());
            string(out, v.permitId());
            string(out, v.limit());
        }, in -> {
            PermitVerdict.Kind kind = verdictKind(in.readByte());
            return new PermitVerdict(string(in), string(in), kind, string(in));
        });
    }

    static Serde<NumberState> numberStates() {
        return serde((out, s) -> {
            times(out, s.sends());
            times(out, s.failedChecks());
            out.writeInt(s.active().size());
            for (NumberState.Active a : s.active()) {
                string(out, a.requestId());
                string(out, a.permitId());
                out.writeLong(a.until().toEpochMilli());
            }
        }, in -> {
            List<Instant> sends = times(in);
            List<Instant> failed = times(in);
            int n = in.readInt();
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

    private static <T> Serde<T> serde(Writer<T> writer, Reader<T> reader) {
        return Serdes.serdeFrom((topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(VERSION);
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
                byte version = in.readByte();
                if (version != VERSION) {
                    throw new SerializationException("unknown number guard format version " + version);
                }
                return reader.read(in);
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
        byte[] b = new byte[length];
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
        int n = in.readInt();
        List<Instant> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(Instant.ofEpochMilli(in.readLong()));
        }
        return list;
    }
}
