package io.egoiverify.worker.egoi;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The two ways of speaking to E-goi's Verify. {@link #V2} is E-goi's published Transactional API V2 (OpenAPI spec
 * shipped in E-goi's SDK repositories): header authentication, sourced paths, status, cancel, resend and senders calls.
 * {@link #GUIDE} is the payloads of E-goi's guide "Implementing Verify (2FA)": key in the body, send and validate only,
 * at paths nobody published (assumptions, configurable).
 */
public enum Dialect {
    V2("v2", "https://slingshot.egoiapp.com/api"),
    GUIDE("guide", "https://www51.e-goi.com/api/public");

    private final String code;
    private final URI defaultBaseUrl;

    Dialect(String code, String defaultBaseUrl) {
        this.code = code;
        this.defaultBaseUrl = URI.create(defaultBaseUrl);
    }

    /** The configuration value ({@code egoi.api}). */
    public String code() {
        return code;
    }

    public URI defaultBaseUrl() {
        return defaultBaseUrl;
    }

    /** Whether a verification's status can be read (and so a check reconciled). */
    public boolean hasStatusCall() {
        return this == V2;
    }

    /** Whether E-goi can be asked to cancel a verification. */
    public boolean hasCancelCall() {
        return this == V2;
    }

    /** Whether E-goi resends a code for the same id; otherwise a resend is a new send. */
    public boolean hasResendCall() {
        return this == V2;
    }

    /** Whether a call exists that checks an API key without sending an SMS. */
    public boolean hasSendersCall() {
        return this == V2;
    }

    /**
     * The longest validity a code may be given, where the API says (V2's spec: {@code codeValidity} at most 3600 s;
     * the guide names none).
     */
    public Optional<Duration> maxCodeValidity() {
        return this == V2 ? Optional.of(Duration.ofHours(1)) : Optional.empty();
    }

    /** The sender profile attribute this dialect needs ({@code sender-id} or {@code sender-hash}). */
    public String senderAttribute() {
        return this == V2 ? "sender-id" : "sender-hash";
    }

    public static Optional<Dialect> of(String code) {
        String c = code == null ? "" : code.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(d -> d.code.equals(c)).findFirst();
    }
}
