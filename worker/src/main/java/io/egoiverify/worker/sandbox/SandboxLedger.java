package io.egoiverify.worker.sandbox;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** The sandbox's memory, shared by both dialects: verifications, the outbox and call counters. Thread-safe. */
final class SandboxLedger {
    private static final String NUMERIC = "0123456789";
    private static final String ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String HEX = "0123456789ABCDEF";

    /** A verification's state, as V2's status call names it. */
    enum State { PENDING, VERIFIED, EXPIRED, CANCELED }

    /** What a validate found. */
    enum Check { VERIFIED, ALREADY_VERIFIED, EXPIRED, WRONG_CODE, CANCELED, NOT_FOUND }

    /** What a code is made of and how it is sent. */
    record CodeSpec(String codeType, int size, int ttlSeconds, String template, String placeholder) {
    }

    /** A read of a verification for V2's status call (the code included: the sandbox is a test double). */
    record Snapshot(String id, String messageId, String senderId, String number, String code, int ttlSeconds,
                    State state, Instant createdAt, String text) {
    }

    private static final class Verification {
        final String id;
        final String apiKey;
        final String number;
        final String senderId;
        final CodeSpec spec;
        final Instant createdAt;
        String code;
        String messageId;
        String text;
        Instant expiresAt;
        boolean verified;
        boolean cancelled;

        Verification(String id, String apiKey, String number, String senderId, CodeSpec spec, Instant createdAt) {
            this.id = id;
            this.apiKey = apiKey;
            this.number = number;
            this.senderId = senderId;
            this.spec = spec;
            this.createdAt = createdAt;
        }

        State state(Instant now) {
            return verified ? State.VERIFIED : cancelled ? State.CANCELED
                    : now.isBefore(expiresAt) ? State.PENDING : State.EXPIRED;
        }
    }

    private final Clock clock;
    private final Map<String, Verification> verifications = new ConcurrentHashMap<>();
    private final List<OutboxEntry> outbox = new ArrayList<>();
    private final Map<String, Map<String, AtomicInteger>> calls = new ConcurrentHashMap<>();

    SandboxLedger(Clock clock) {
        this.clock = clock;
    }

    /** Counts a call; {@code operation} e.g. {@code send} (key: the number) or {@code validate} (key: the id). */
    void count(String operation, String key) {
        calls.computeIfAbsent(operation, o -> new ConcurrentHashMap<>())
                .computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    int calls(String operation, String key) {
        AtomicInteger n = calls.getOrDefault(operation, Map.of()).get(key);
        return n == null ? 0 : n.get();
    }

    Map<String, Integer> calls(String operation) {
        Map<String, Integer> copy = new TreeMap<>();
        calls.getOrDefault(operation, Map.of()).forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** Generates a code, "sends" it, and returns the new verification's id. */
    String send(String apiKey, String number, String senderId, CodeSpec spec) {
        // 32 hex chars like E-goi's; ThreadLocalRandom because UUID.randomUUID's SecureRandom serialises callers
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String id = String.format("%016x%016x", r.nextLong(), r.nextLong());
        Verification v = new Verification(id, apiKey, number, senderId, spec, clock.instant());
        synchronized (v) {
            newCode(v);
        }
        verifications.put(id, v);
        return id;
    }

    /** Validates a code. A wrong code keeps the verification waiting. */
    Check validate(String apiKey, String id, String code) {
        Verification v = find(apiKey, id);
        if (v == null) {
            return Check.NOT_FOUND;
        }
        synchronized (v) {
            return switch (v.state(clock.instant())) {
                case VERIFIED -> Check.ALREADY_VERIFIED;
                case CANCELED -> Check.CANCELED;
                case EXPIRED -> Check.EXPIRED;
                case PENDING -> {
                    if (v.code.equalsIgnoreCase(code)) {
                        v.verified = true;
                        yield Check.VERIFIED;
                    }
                    yield Check.WRONG_CODE;
                }
            };
        }
    }

    Optional<Snapshot> status(String apiKey, String id) {
        Verification v = find(apiKey, id);
        if (v == null) {
            return Optional.empty();
        }
        synchronized (v) {
            return Optional.of(new Snapshot(v.id, v.messageId, v.senderId, v.number, v.code, v.spec.ttlSeconds(),
                    v.state(clock.instant()), v.createdAt, v.text));
        }
    }

    /** Cancels a pending or expired verification; empty if unknown, else the state it had. */
    Optional<State> cancel(String apiKey, String id) {
        Verification v = find(apiKey, id);
        if (v == null) {
            return Optional.empty();
        }
        synchronized (v) {
            State before = v.state(clock.instant());
            if (before != State.VERIFIED) {
                v.cancelled = true;
            }
            return Optional.of(before);
        }
    }

    /** A new code for a pending or expired verification (the old code stops working); else the state it is in. */
    Optional<State> resend(String apiKey, String id) {
        Verification v = find(apiKey, id);
        if (v == null) {
            return Optional.empty();
        }
        synchronized (v) {
            State before = v.state(clock.instant());
            if (before == State.PENDING || before == State.EXPIRED) {
                newCode(v);
            }
            return Optional.of(before);
        }
    }

    List<OutboxEntry> outbox() {
        synchronized (outbox) {
            return List.copyOf(outbox);
        }
    }

    Optional<String> lastCode(String number) {
        synchronized (outbox) {
            for (int i = outbox.size() - 1; i >= 0; i--) {
                if (outbox.get(i).number().equals(number)) {
                    return Optional.of(outbox.get(i).code());
                }
            }
        }
        return Optional.empty();
    }

    void reset() {
        verifications.clear();
        synchronized (outbox) {
            outbox.clear();
        }
        calls.clear();
    }

    private Verification find(String apiKey, String id) {
        Verification v = id == null ? null : verifications.get(id);
        return v == null || !v.apiKey.equals(apiKey) ? null : v;
    }

    /** Caller holds the verification's lock. */
    private void newCode(Verification v) {
        Instant now = clock.instant();
        v.code = code(v.spec.codeType(), v.spec.size());
        v.expiresAt = now.plusSeconds(v.spec.ttlSeconds());
        ThreadLocalRandom r = ThreadLocalRandom.current();
        v.messageId = Long.toString(r.nextLong(1, Long.MAX_VALUE));
        String template = v.spec.template();
        v.text = template.contains(v.spec.placeholder()) ? template.replace(v.spec.placeholder(), v.code)
                : (template.isEmpty() ? v.code : template + " " + v.code);
        synchronized (outbox) {
            outbox.add(new OutboxEntry(v.number, v.text, v.id, v.code, now));
        }
    }

    private static String code(String codeType, int size) {
        String alphabet = switch (codeType) {
            case "numeric" -> NUMERIC;
            case "alpha" -> ALPHA;
            case "alphanumeric" -> ALPHA + NUMERIC;
            case "hex", "hexa" -> HEX;
            default -> throw new IllegalArgumentException("codeType");
        };
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
