package io.egoiverify.worker.sandbox;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** The sandbox's memory: pending verifications, the outbox and call counters. Thread-safe. */
final class SandboxLedger {
    private static final String NUMERIC = "0123456789";
    private static final String ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String HEX = "0123456789ABCDEF";

    /** What the validate call answers. */
    enum Check { VERIFIED, ALREADY_VERIFIED, EXPIRED, WRONG_CODE, NOT_FOUND }

    private static final class Pending {
        final String apiKey;
        final String code;
        final Instant expiresAt;
        boolean verified;

        Pending(String apiKey, String code, Instant expiresAt) {
            this.apiKey = apiKey;
            this.code = code;
            this.expiresAt = expiresAt;
        }
    }

    private final Clock clock;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final List<OutboxEntry> outbox = new ArrayList<>();
    private final Map<String, AtomicInteger> sendCallsByNumber = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> validateCallsByRequestId = new ConcurrentHashMap<>();

    SandboxLedger(Clock clock) {
        this.clock = clock;
    }

    void countSend(String number) {
        sendCallsByNumber.computeIfAbsent(number, n -> new AtomicInteger()).incrementAndGet();
    }

    void countValidate(String requestId) {
        validateCallsByRequestId.computeIfAbsent(requestId, n -> new AtomicInteger()).incrementAndGet();
    }

    /** Generates a code, "sends" it, and returns E-goi's requestId. */
    String send(String apiKey, String number, String codeType, int codeSize, int ttlSeconds, String message) {
        String code = code(codeType, codeSize);
        // 32 hex chars like E-goi's; ThreadLocalRandom because UUID.randomUUID's SecureRandom serialises callers
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String requestId = String.format("%016x%016x", r.nextLong(), r.nextLong());
        Instant now = clock.instant();
        pending.put(requestId, new Pending(apiKey, code, now.plusSeconds(ttlSeconds)));
        synchronized (outbox) {
            outbox.add(new OutboxEntry(number, message.replace("{CODE}", code), requestId, code, now));
        }
        return requestId;
    }

    Check validate(String apiKey, String requestId, String code) {
        Pending p = pending.get(requestId);
        if (p == null || !p.apiKey.equals(apiKey)) {
            return Check.NOT_FOUND;
        }
        synchronized (p) {
            if (p.verified) {
                return Check.ALREADY_VERIFIED;
            }
            if (!clock.instant().isBefore(p.expiresAt)) {
                return Check.EXPIRED;
            }
            if (p.code.equalsIgnoreCase(code)) {
                p.verified = true;
                return Check.VERIFIED;
            }
            return Check.WRONG_CODE;
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

    int sendCalls(String number) {
        AtomicInteger n = sendCallsByNumber.get(number);
        return n == null ? 0 : n.get();
    }

    int validateCalls(String requestId) {
        AtomicInteger n = validateCallsByRequestId.get(requestId);
        return n == null ? 0 : n.get();
    }

    Map<String, Integer> sendCallsByNumber() {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        sendCallsByNumber.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    Map<String, Integer> validateCallsByRequestId() {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        validateCallsByRequestId.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    void reset() {
        pending.clear();
        synchronized (outbox) {
            outbox.clear();
        }
        sendCallsByNumber.clear();
        validateCallsByRequestId.clear();
    }

    private static String code(String codeType, int size) {
        String alphabet = switch (codeType) {
            case "numeric" -> NUMERIC;
            case "alpha" -> ALPHA;
            case "alphanumeric" -> ALPHA + NUMERIC;
            case "hex" -> HEX;
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
