package io.egoiverify.worker.egoi;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.regex.Pattern;

/**
 * Writes a number in E-goi's form ({@code 351-910000000}). The product has one phone-number rule, the lifecycle's: it
 * validates and normalises every number and puts it into the command in E.164. The worker only re-formats it;
 * libphonenumber is used here to find where the country calling code ends, not to judge the number again.
 */
public final class EgoiNumbers {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

    private EgoiNumbers() {
    }

    /**
     * @throws InvalidRequestException if the command's number is not in E.164 form (the message never holds the number)
     */
    public static String fromE164(String e164) {
        if (e164 == null || !E164.matcher(e164).matches()) {
            throw new InvalidRequestException("phone number in the command is not E.164 (+<country><number>)");
        }
        try {
            PhoneNumber parsed = UTIL.parse(e164, null);
            String countryCode = Integer.toString(parsed.getCountryCode());
            return countryCode + "-" + e164.substring(1 + countryCode.length());
        } catch (NumberParseException e) {
            throw new InvalidRequestException("phone number in the command has no known country code: "
                    + e.getErrorType());
        }
    }
}
