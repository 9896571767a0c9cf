package io.egoiverify.app.config;

import io.egoiverify.lifecycle.AbuseLimits;
import io.egoiverify.lifecycle.LifecycleConfig;
import io.egoiverify.lifecycle.ProfilePolicy;
import io.egoiverify.lifecycle.ResendPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code abuse.*} settings (per-number limits) and the policy attributes of {@code profile.<name>.*} (limits and
 * resend overrides), mapped onto {@link LifecycleConfig#withAbuse} and {@link LifecycleConfig#withProfilePolicies}.
 */
public final class AbuseSettings {
    public static final String KEY = "abuse.hmac-key";
    /** Policy attributes of a sender profile (read by the lifecycle, not by the worker). */
    static final List<String> POLICY_ATTRIBUTES = List.of("allowed-country-codes", "max-message-length",
            "min-code-size", "max-ttl", "resend-cooldown", "max-sends");
    private static final AbuseLimits D = AbuseLimits.disabled();
    private static final String OFF_HINT = "abuse.enabled=false runs without per-number limits";

    static final List<SettingDef> DEFS = List.of(
            new SettingDef("abuse.enabled", "true", "Per-number limits (sends, failed checks, one active "
                    + "verification per number), enforced by the lifecycle for all instances together. Needs "
                    + "`abuse.hmac-key`. Same value on every state instance; switching needs a full restart."),
            new SettingDef(KEY, null, "Secret of at least 32 bytes (UTF-8) keying the HMAC of each phone number in "
                    + "the limit state; identical on every state instance (secret; prefer "
                    + "`EGOI_VERIFY_ABUSE_HMAC_KEY_FILE`, e.g. a file made with `openssl rand -base64 48`). Required "
                    + "by `run` with role state/all while `abuse.enabled` is true; dev mode makes a random one. "
                    + "Changing it resets every per-number counter."),
            new SettingDef("abuse.sends-per-number", String.valueOf(D.maxSendsPerWindow()), "Codes sent to one "
                    + "number per `abuse.sends-window` (sliding, 1 to 1000); a further request fails RATE_LIMITED."),
            new SettingDef("abuse.sends-window", Settings.human(D.sendWindow()), "Window of "
                    + "`abuse.sends-per-number` (at most 7d)."),
            new SettingDef("abuse.failed-checks-per-number", String.valueOf(D.maxFailedChecks()), "Wrong codes for "
                    + "one number (all its verifications) per `abuse.failed-checks-window` (1 to 1000); at the "
                    + "limit new requests for the number fail RATE_LIMITED."),
            new SettingDef("abuse.failed-checks-window", Settings.human(D.failedCheckWindow()), "Window of "
                    + "`abuse.failed-checks-per-number` (at most 7d)."),
            new SettingDef("abuse.active-policy", D.activePolicy().name().toLowerCase(Locale.ROOT), "A new request "
                    + "for a number with a live verification: `off` (allowed), `refuse` (fails RATE_LIMITED) or "
                    + "`supersede` (allowed; the live one is cancelled)."),
            new SettingDef("abuse.permit-timeout", Settings.human(D.permitTimeout()), "How long a request waits "
                    + "for the per-number verdict before it fails PROVIDER_UNAVAILABLE: longer than a lifecycle "
                    + "fail-over, shorter than `lifecycle.send-deadline` (at most 5m). With "
                    + "`lifecycle.guard-issues-commands` it is the deadline of the send the guard issues, whose "
                    + "result is awaited `lifecycle.result-grace` longer."),
            new SettingDef("profile.<name>.allowed-country-codes", null, "Country calling codes profile `<name>` "
                    + "may text, comma-separated (e.g. `351,34`); unset = any. Outside it: INVALID_REQUEST."),
            new SettingDef("profile.<name>.min-code-size", null, "Smallest code size profile `<name>` accepts "
                    + "(4 to 10; e.g. 6 to forbid 4-digit codes); unset = `lifecycle.min-code-size`."),
            new SettingDef("profile.<name>.max-ttl", null, "Largest TTL profile `<name>` accepts (whole seconds); "
                    + "unset = `lifecycle.max-ttl`."),
            new SettingDef("profile.<name>.max-message-length", null, "Longest SMS template profile `<name>` "
                    + "accepts (16 to 1600 characters); unset = `lifecycle.max-message-length`."));

    private AbuseSettings() {
    }

    /**
     * The lifecycle configuration with its per-number limits and profile policies. The key is required only where
     * the lifecycle runs in production ({@code run} with role state or all) and the limits are on; elsewhere a
     * missing key leaves the limits off (nothing there enforces them).
     */
    public static LifecycleConfig apply(Settings s, LifecycleConfig base, boolean keyRequired) {
        AbuseLimits limits = limits(s, keyRequired);
        if (limits.enabled() && limits.permitTimeout().compareTo(base.sendDeadline()) >= 0) {
            // Checked here too (LifecycleConfig refuses it) to name both settings in the operator's terms.
            throw new ConfigException("invalid combination of abuse.permit-timeout=" + Settings.human(
                    limits.permitTimeout()) + " and lifecycle.send-deadline=" + Settings.human(base.sendDeadline())
                    + ": the permit timeout must be shorter than the send deadline");
        }
        Map<String, ProfilePolicy> policies = policies(s);
        try {
            return base.withAbuse(limits).withProfilePolicies(policies);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid combination of profile.* policy and lifecycle.* settings: "
                    + e.getMessage());
        }
    }

    private static AbuseLimits limits(Settings s, boolean keyRequired) {
        boolean enabled = s.bool("abuse.enabled");
        AbuseLimits.ActivePolicy policy = AbuseLimits.ActivePolicy.valueOf(s.oneOf("abuse.active-policy",
                Set.of("off", "refuse", "supersede")).toUpperCase(Locale.ROOT));
        Duration week = Duration.ofDays(7);
        AbuseLimits limits = AbuseLimits.disabled()
                .withSends(s.integer("abuse.sends-per-number", 1, 1000),
                        s.duration("abuse.sends-window", Duration.ofSeconds(1), week))
                .withFailedChecks(s.integer("abuse.failed-checks-per-number", 1, 1000),
                        s.duration("abuse.failed-checks-window", Duration.ofSeconds(1), week))
                .withActivePolicy(policy)
                .withPermitTimeout(s.duration("abuse.permit-timeout", Duration.ofMillis(100), Duration.ofMinutes(5)));
        Setting key = s.find(KEY).filter(k -> !k.value().isEmpty()).orElse(null);
        if (key == null) {
            if (enabled && keyRequired) {
                throw ConfigException.missing(KEY, "the per-number limits need a secret of at least "
                        + AbuseLimits.MIN_KEY_BYTES + " bytes, identical on every state instance (or "
                        + SettingsLoader.envName(KEY) + "_FILE); " + OFF_HINT);
            }
            return limits;
        }
        byte[] bytes = key.value().getBytes(StandardCharsets.UTF_8);
        if (bytes.length < AbuseLimits.MIN_KEY_BYTES) {
            throw ConfigException.invalid(key, "expected a secret of at least " + AbuseLimits.MIN_KEY_BYTES
                    + " bytes (e.g. openssl rand -base64 48); " + OFF_HINT);
        }
        return enabled ? limits.withNumberKey(bytes) : limits;
    }

    private static Map<String, ProfilePolicy> policies(Settings s) {
        Map<String, ProfilePolicy> out = new LinkedHashMap<>();
        for (String name : EgoiSettings.profileNames(s)) {
            String prefix = SettingsCatalog.PROFILE_PREFIX + name + ".";
            if (POLICY_ATTRIBUTES.stream().noneMatch(a -> s.find(prefix + a).isPresent())) {
                continue;
            }
            ProfilePolicy p = ProfilePolicy.UNRESTRICTED;
            if (s.find(prefix + "allowed-country-codes").isPresent()) {
                p = p.withAllowedCountryCodes(countryCodes(s.find(prefix + "allowed-country-codes").orElseThrow()));
            }
            if (s.find(prefix + "min-code-size").isPresent()) {
                p = p.withMinCodeSize(s.integer(prefix + "min-code-size", LifecycleConfig.CODE_SIZE_FLOOR,
                        LifecycleConfig.CODE_SIZE_CEILING));
            }
            if (s.find(prefix + "max-ttl").isPresent()) {
                Duration ttl = s.duration(prefix + "max-ttl", LifecycleConfig.TTL_FLOOR, LifecycleConfig.TTL_CEILING);
                if (ttl.toMillis() % 1000 != 0) {
                    throw ConfigException.invalid(s.find(prefix + "max-ttl").orElseThrow(),
                            "expected whole seconds (E-goi codeTTL)");
                }
                p = p.withMaxTtl(ttl);
            }
            if (s.find(prefix + "max-message-length").isPresent()) {
                p = p.withMaxMessageLength(s.integer(prefix + "max-message-length", 16, 1600));
            }
            if (s.find(prefix + "resend-cooldown").isPresent()) {
                p = p.withResendCooldown(s.duration(prefix + "resend-cooldown", Duration.ZERO,
                        ResendPolicy.MAX_COOLDOWN));
            }
            if (s.find(prefix + "max-sends").isPresent()) {
                p = p.withMaxSends(s.integer(prefix + "max-sends", 1, ResendPolicy.MAX_SENDS_CEILING));
            }
            out.put(name, p);
        }
        return out;
    }

    private static Set<Integer> countryCodes(Setting setting) {
        Set<Integer> codes = new TreeSet<>();
        for (String part : setting.value().split(",")) {
            String t = part.trim();
            if (t.startsWith("+")) {
                t = t.substring(1);
            }
            if (t.isEmpty()) {
                continue;
            }
            try {
                int cc = Integer.parseInt(t);
                if (cc >= 1 && cc <= 999) {
                    codes.add(cc);
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw ConfigException.invalid(setting, "expected country calling codes from 1 to 999, comma-separated "
                    + "(e.g. 351,34)");
        }
        if (codes.isEmpty()) {
            // An empty list would mean "any country": a template that rendered nothing must not open every country.
            throw ConfigException.invalid(setting, "expected at least one country calling code (e.g. 351,34); "
                    + "leave the setting unset to allow any");
        }
        return codes;
    }
}
