package io.egoiverify.lifecycle;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Normalises the two accepted phone number forms to E.164 and masks them for outcomes and logs. */
public final class PhoneNumbers {
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern EGOI = Pattern.compile("([1-9][0-9]{0,2})-([0-9]{4,14})");
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private PhoneNumbers() {
    }

    /**
     * The number in E.164 if it is an E.164 ({@code +351910000000}) or E-goi ({@code 351-910000000}) form that
     * libphonenumber considers a valid number; empty otherwise.
     */
    public static Optional<String> normalise(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String candidate;
        int countryCode = -1;
        Matcher egoi = EGOI.matcher(raw);
        if (E164.matcher(raw).matches()) {
            candidate = raw;
        } else if (egoi.matches()) {
            countryCode = Integer.parseInt(egoi.group(1));
            candidate = "+" + egoi.group(1) + egoi.group(2);
        } else {
            return Optional.empty();
        }
        try {
            PhoneNumber parsed = UTIL.parse(candidate, null);
            if (!UTIL.isValidNumber(parsed)) {
                return Optional.empty();
            }
            // The E-goi form names the country code explicitly: it must be the one the digits parse to.
            if (countryCode >= 0 && parsed.getCountryCode() != countryCode) {
                return Optional.empty();
            }
            String e164 = UTIL.format(parsed, PhoneNumberUtil.PhoneNumberFormat.E164);
            return e164.equals(candidate) ? Optional.of(e164) : Optional.empty();
        } catch (NumberParseException e) {
            return Optional.empty();
        }
    }

    /** The country calling code of a normalised E.164 number (351 for {@code +351910000000}); -1 if unparsable. */
    public static int countryCode(String e164) {
        try {
            return UTIL.parse(e164, null).getCountryCode();
        } catch (NumberParseException e) {
            return -1;
        }
    }

    /**
     * Masks a normalised E.164 number: every digit but the country code and the last two becomes {@code *}
     * ({@code +351910000000} → {@code +351*******00}).
     */
    public static String mask(String e164) {
        try {
            PhoneNumber parsed = UTIL.parse(e164, null);
            String cc = Integer.toString(parsed.getCountryCode());
            String national = e164.substring(1 + cc.length());
            int keep = Math.min(2, national.length());
            return "+" + cc + "*".repeat(national.length() - keep) + national.substring(national.length() - keep);
        } catch (NumberParseException e) {
            return "+***";
        }
    }
}
