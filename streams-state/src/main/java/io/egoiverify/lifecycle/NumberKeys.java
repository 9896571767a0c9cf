package io.egoiverify.lifecycle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keeps the phone number out of state and topics. {@link #hash} is the HMAC-SHA256 of the normalised E.164 number
 * (the number guard's key). {@link #seal} encrypts the number (AES-256-GCM) for the few seconds a request waits for
 * its permit: the verification state must still be able to issue the send, but never holds the number in clear.
 * Both keys are derived from the configured secret, so every instance computes the same hash.
 */
public final class NumberKeys {
    private static final int NONCE_BYTES = 12;
    private final SecretKeySpec hashKey;
    private final SecretKeySpec nonceKey;
    private final SecretKeySpec sealKey;

    public NumberKeys(byte[] secret) {
        if (secret == null || secret.length < AbuseLimits.MIN_KEY_BYTES) {
            throw new IllegalArgumentException("number key must have at least " + AbuseLimits.MIN_KEY_BYTES + " bytes");
        }
        SecretKeySpec master = new SecretKeySpec(secret, "HmacSHA256");
        this.hashKey = new SecretKeySpec(hmac(master, "egoi-verify/number-hash"), "HmacSHA256");
        this.nonceKey = new SecretKeySpec(hmac(master, "egoi-verify/number-nonce"), "HmacSHA256");
        this.sealKey = new SecretKeySpec(hmac(master, "egoi-verify/number-seal"), "AES");
    }

    /** Lower-case hex HMAC-SHA256 of the normalised number: 64 characters. */
    public String hash(String e164) {
        return HexFormat.of().formatHex(hmac(hashKey, e164));
    }

    /**
     * The number encrypted for this request, Base64. The nonce is derived (HMAC of requestId and number), so the
     * step stays deterministic and a nonce is only ever reused for the very same plaintext.
     */
    public String seal(String requestId, String e164) {
        byte[] nonce = Arrays.copyOf(hmac(nonceKey, requestId + "\n" + e164), NONCE_BYTES);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(requestId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(e164.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal the number", e);
        }
    }

    /** The number sealed by {@link #seal} for this requestId; throws if the key differs or the data was altered. */
    public String unseal(String requestId, String sealed) {
        byte[] in = Base64.getDecoder().decode(sealed);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(128, in, 0, NONCE_BYTES));
            cipher.updateAAD(requestId.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot unseal the number (was the number key changed?)", e);
        }
    }

    private static byte[] hmac(SecretKeySpec key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "NumberKeys[***]";
    }
}
