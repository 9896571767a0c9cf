package io.egoiverify.worker.egoi;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.regex.Pattern;

/** Converts E.164 ({@code +351910000000}) or E-goi form ({@code 351-910000000}) to E-goi's {@code 351-910000000}. */
public final class PhoneNumbers {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final Pattern EGOI_FORM = Pattern.compile("\\d{1,3}-\\d{4,14}");

    private PhoneNumbers() {
    }

    /**
     * @throws InvalidRequestException if the number is not a valid number (the message never contains the number)
     */
    public static String toEgoi(String number) {
        if (number == null || number.isBlank()) {
            throw new InvalidRequestException("phone number is missing");
        }
        String e164 = EGOI_FORM.matcher(number).matches() ? "+" + number.replace("-", "") : number.strip();
        if (!e164.startsWith("+")) {
            throw new InvalidRequestException("phone number must be E.164 (+<country><number>)");
        }
        try {
            PhoneNumber parsed = UTIL.parse(e164, null);
            if (!UTIL.isValidNumber(parsed)) {
                throw new InvalidRequestException("phone number is not valid for region "
                        + UTIL.getRegionCodeForNumber(parsed) + " (country code " + parsed.getCountryCode() + ")");
            }
            return parsed.getCountryCode() + "-" + UTIL.getNationalSignificantNumber(parsed);
        } catch (NumberParseException e) {
            throw new InvalidRequestException("phone number cannot be parsed: " + e.getErrorType());
        }
    }
}
