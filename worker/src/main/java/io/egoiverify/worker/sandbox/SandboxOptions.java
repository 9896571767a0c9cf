package io.egoiverify.worker.sandbox;

import java.util.List;
import java.util.Set;

/**
 * What the sandbox's pretend E-goi account holds.
 *
 * @param apiKeys the keys V2 accepts (any other answers 403; none at all answers 401); empty = any non-blank key
 * @param senders the account's SMS senders, listed by {@code GET /v2/sms/senders}; a V2 send must name an active one
 */
public record SandboxOptions(Set<String> apiKeys, List<Sender> senders) {
    /** The sender every sandbox has unless told otherwise. */
    public static final Sender DEFAULT_SENDER = new Sender("1", "egoi-verify sandbox", "351910000000", "active");

    public SandboxOptions {
        apiKeys = Set.copyOf(apiKeys);
        senders = List.copyOf(senders);
    }

    /** Any key, the default sender plus an inactive one (id 2). */
    public static SandboxOptions defaults() {
        return new SandboxOptions(Set.of(), List.of(DEFAULT_SENDER,
                new Sender("2", "inactive sandbox sender", "351910000001", "inactive")));
    }

    /** Only {@code apiKey} is accepted. */
    public SandboxOptions withApiKey(String apiKey) {
        return withApiKeys(Set.of(apiKey));
    }

    /** Only {@code keys} are accepted. */
    public SandboxOptions withApiKeys(Set<String> keys) {
        return new SandboxOptions(keys, senders);
    }

    /** An SMS sender of the account ({@code senderStatus} {@code active} can send). */
    public record Sender(String id, String name, String phoneNumber, String status) {
        public boolean active() {
            return "active".equals(status);
        }
    }
}
