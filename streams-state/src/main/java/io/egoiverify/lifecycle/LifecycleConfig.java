package io.egoiverify.lifecycle;

import io.egoiverify.events.CodeType;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the lifecycle decides with, validated on construction. {@link #defaults()} gives the documented values;
 * {@code with…} methods derive variants. Request fields are checked against the {@code min…}/{@code max…} bounds here;
 * the bounds themselves must lie inside the hard limits below, which follow E-goi's documented parameters.
 *
 * @param applicationId           Kafka Streams application.id (also the prefix of internal topics and the state dir)
 * @param defaultTtl              code TTL when a request leaves {@code ttlSeconds} null
 * @param minTtl                  smallest TTL a request may ask for
 * @param maxTtl                  largest TTL a request may ask for
 * @param defaultCodeSize         code size when a request leaves {@code codeSize} null
 * @param minCodeSize             smallest code size a request may ask for
 * @param maxCodeSize             largest code size a request may ask for
 * @param defaultCodeType         code type when a request leaves {@code codeType} null
 * @param defaultMaxAttempts      wrong codes allowed when a request leaves {@code maxAttempts} null
 * @param maxAttemptsLimit        largest {@code maxAttempts} a request may ask for
 * @param sendDeadline            how long after it was requested an SMS may still be sent
 * @param resultGrace             how long after a command's deadline the lifecycle waits for its result (a call
 *                                started just before the deadline may finish after it)
 * @param retention               how long a finished verification is kept for de-duplication before it is purged
 * @param pendingCancelMemory     how long a cancel that arrived before its request is remembered
 * @param punctuationInterval     how often the wall-clock punctuator looks for due deadlines
 * @param maxDuePerPunctuation    cap on deadlines handled by one punctuation (the rest wait for the next one)
 * @param maxMessageLength        longest SMS template accepted, in characters
 * @param maxMetadataBytes        largest request metadata accepted (UTF-8 bytes of keys and values)
 * @param maxRememberedSubmissions how many rejected submission ids a verification remembers for de-duplication
 *                                (ids of checked submissions are always kept; they are bounded by the attempts)
 * @param senderProfiles          names of the configured sender profiles; must contain {@code default}
 * @param defaultMessage          SMS template when a request leaves {@code message} null; contains {@code {CODE}}
 * @param standbyReplicas         Kafka Streams num.standby.replicas
 * @param profilePolicies         policy per sender profile name; a profile without one is only bound by the global
 *                                bounds ({@link ProfilePolicy#UNRESTRICTED})
 * @param abuse                   per-number limits (disabled without a number key)
 * @param resend                  resend cooldown and max codes per verification (a profile may override them)
 * @param guardIssuesCommands     with per-number limits: the permit request carries the command (number sealed) and
 *                                the number guard writes it when it grants, in the transaction of its verdict (one
 *                                exactly-once hop fewer before the SMS); false (the default) = the lifecycle issues it
 *                                on the verdict. Off by default: measured on the 2-core stack it was not faster (see
 *                                e2e/README.md, "Fewer transactional hops"), and off needs no two-step upgrade
 */
public record LifecycleConfig(String applicationId, Duration defaultTtl, Duration minTtl, Duration maxTtl,
                              int defaultCodeSize, int minCodeSize, int maxCodeSize, CodeType defaultCodeType,
                              int defaultMaxAttempts, int maxAttemptsLimit, Duration sendDeadline,
                              Duration resultGrace, Duration retention, Duration pendingCancelMemory,
                              Duration punctuationInterval, int maxDuePerPunctuation, int maxMessageLength,
                              int maxMetadataBytes, int maxRememberedSubmissions, Set<String> senderProfiles,
                              String defaultMessage, int standbyReplicas, Map<String, ProfilePolicy> profilePolicies,
                              AbuseLimits abuse, ResendPolicy resend, boolean guardIssuesCommands) {

    public static final String DEFAULT_PROFILE = "default";
    public static final String CODE_PLACEHOLDER = "{CODE}";
    /** Hard limits for the configurable bounds. */
    public static final Duration TTL_FLOOR = Duration.ofSeconds(10);
    public static final Duration TTL_CEILING = Duration.ofHours(24);
    public static final int CODE_SIZE_FLOOR = 4;
    public static final int CODE_SIZE_CEILING = 10;
    public static final int ATTEMPTS_CEILING = 20;
    /**
     * Longest submissionId a verification remembers (characters): a longer one is answered INVALID_CODE, never
     * checked, never remembered. Client strings copied into state are bounded so that no state outgrows the
     * changelog's 1 MB record limit (see the module README, "Bounds of a stored state").
     */
    public static final int SUBMISSION_ID_MAX_LENGTH = 128;
    /**
     * Longest requestId or submissionId an input may carry at all (characters): a longer one is dead-lettered. Outcomes
     * echo them (the requestId as the key too) and states store the requestId, so an id that fills a record up to
     * Kafka's 1 MiB limit would make an outcome or changelog record the producer refuses for good: the task would
     * fail on the same input for ever. Well above the 64 characters a valid requestId has, so that a longer one is
     * still answered INVALID_REQUEST.
     */
    public static final int ID_HARD_MAX_LENGTH = 1_024;
    /**
     * Longest cancel reason kept and echoed on VerificationCancelled (characters): a longer one is cut to its first
     * 200 characters (never inside a surrogate pair).
     */
    public static final int CANCEL_REASON_MAX_LENGTH = 200;
    /**
     * Checked submissionIds a verification remembers, the most recent: enough to recognise any redelivery of a real
     * client (see the module README, "Bounds of a stored state"), few enough that a state stays far below 1 MB while
     * checks E-goi does not judge (an outage) never use up attempts. {@code attemptsUsed} counts up to this number.
     */
    public static final int CHECKED_SUBMISSIONS_KEPT = 500;

    public LifecycleConfig {
        Objects.requireNonNull(applicationId, "applicationId");
        require(!applicationId.isBlank(), "applicationId must not be blank");
        for (Duration d : new Duration[] {defaultTtl, minTtl, maxTtl, sendDeadline, resultGrace, retention,
                pendingCancelMemory, punctuationInterval}) {
            Objects.requireNonNull(d, "durations must not be null");
            require(!d.isNegative() && !d.isZero(), "durations must be positive, got " + d);
        }
        require(TTL_FLOOR.compareTo(minTtl) <= 0 && minTtl.compareTo(defaultTtl) <= 0
                        && defaultTtl.compareTo(maxTtl) <= 0 && maxTtl.compareTo(TTL_CEILING) <= 0,
                "need " + TTL_FLOOR + " <= minTtl <= defaultTtl <= maxTtl <= " + TTL_CEILING);
        require(minTtl.toMillis() % 1000 == 0 && defaultTtl.toMillis() % 1000 == 0 && maxTtl.toMillis() % 1000 == 0,
                "TTLs are whole seconds (E-goi codeTTL)");
        require(CODE_SIZE_FLOOR <= minCodeSize && minCodeSize <= defaultCodeSize && defaultCodeSize <= maxCodeSize
                && maxCodeSize <= CODE_SIZE_CEILING, "need " + CODE_SIZE_FLOOR
                + " <= minCodeSize <= defaultCodeSize <= maxCodeSize <= " + CODE_SIZE_CEILING);
        Objects.requireNonNull(defaultCodeType, "defaultCodeType");
        require(defaultCodeType != CodeType.UNKNOWN, "defaultCodeType must not be UNKNOWN");
        require(1 <= defaultMaxAttempts && defaultMaxAttempts <= maxAttemptsLimit
                && maxAttemptsLimit <= ATTEMPTS_CEILING,
                "need 1 <= defaultMaxAttempts <= maxAttemptsLimit <= " + ATTEMPTS_CEILING);
        require(sendDeadline.compareTo(Duration.ofMinutes(10)) <= 0, "sendDeadline must be at most 10 minutes");
        require(resultGrace.compareTo(Duration.ofMinutes(5)) <= 0, "resultGrace must be at most 5 minutes");
        require(retention.compareTo(Duration.ofMinutes(1)) >= 0 && retention.compareTo(Duration.ofDays(30)) <= 0,
                "retention must be between 1 minute and 30 days");
        require(pendingCancelMemory.compareTo(Duration.ofDays(1)) <= 0, "pendingCancelMemory must be at most 1 day");
        require(punctuationInterval.compareTo(Duration.ofMillis(10)) >= 0
                        && punctuationInterval.compareTo(Duration.ofSeconds(10)) <= 0,
                "punctuationInterval must be between 10 ms and 10 s");
        require(maxDuePerPunctuation >= 1 && maxDuePerPunctuation <= 1_000_000,
                "maxDuePerPunctuation must be between 1 and 1,000,000");
        require(maxMessageLength >= 16 && maxMessageLength <= 1600, "maxMessageLength must be between 16 and 1600");
        require(maxMetadataBytes >= 0 && maxMetadataBytes <= 65_536, "maxMetadataBytes must be between 0 and 65536");
        require(maxRememberedSubmissions >= 1 && maxRememberedSubmissions <= 1000,
                "maxRememberedSubmissions must be between 1 and 1000");
        Objects.requireNonNull(senderProfiles, "senderProfiles");
        senderProfiles = Set.copyOf(senderProfiles);
        require(senderProfiles.contains(DEFAULT_PROFILE), "senderProfiles must contain '" + DEFAULT_PROFILE + "'");
        Objects.requireNonNull(defaultMessage, "defaultMessage");
        require(defaultMessage.contains(CODE_PLACEHOLDER), "defaultMessage must contain " + CODE_PLACEHOLDER);
        require(defaultMessage.length() <= maxMessageLength, "defaultMessage is longer than maxMessageLength");
        require(standbyReplicas >= 0 && standbyReplicas <= 5, "standbyReplicas must be between 0 and 5");
        Objects.requireNonNull(profilePolicies, "profilePolicies");
        profilePolicies = Map.copyOf(profilePolicies);
        require(senderProfiles.containsAll(profilePolicies.keySet()),
                "profilePolicies name profiles that are not in senderProfiles");
        for (Map.Entry<String, ProfilePolicy> e : profilePolicies.entrySet()) {
            // A policy no request could satisfy, or that refuses its own defaults, is a configuration error.
            ProfilePolicy p = e.getValue();
            require(p.minCodeSize() <= maxCodeSize, "profile " + e.getKey() + ": minCodeSize above maxCodeSize");
            require(p.maxTtl() == null || p.maxTtl().compareTo(minTtl) >= 0,
                    "profile " + e.getKey() + ": maxTtl below minTtl");
            require(p.maxMessageLength() == 0 || defaultMessage.length() <= p.maxMessageLength(),
                    "profile " + e.getKey() + ": defaultMessage is longer than its maxMessageLength");
        }
        Objects.requireNonNull(abuse, "abuse");
        // A permit that may be awaited past the send deadline would only ever end as DEADLINE_PASSED.
        require(!abuse.enabled() || abuse.permitTimeout().compareTo(sendDeadline) < 0,
                "the abuse permit timeout (" + abuse.permitTimeout() + ") must be shorter than sendDeadline ("
                        + sendDeadline + ")");
        Objects.requireNonNull(resend, "resend");
    }

    /**
     * Without profile policies, per-number limits, resend settings and the guard's role (their defaults: none, off,
     * default, the guard issuing the granted command).
     */
    public LifecycleConfig(String applicationId, Duration defaultTtl, Duration minTtl, Duration maxTtl,
                           int defaultCodeSize, int minCodeSize, int maxCodeSize, CodeType defaultCodeType,
                           int defaultMaxAttempts, int maxAttemptsLimit, Duration sendDeadline,
                           Duration resultGrace, Duration retention, Duration pendingCancelMemory,
                           Duration punctuationInterval, int maxDuePerPunctuation, int maxMessageLength,
                           int maxMetadataBytes, int maxRememberedSubmissions, Set<String> senderProfiles,
                           String defaultMessage, int standbyReplicas) {
        this(applicationId, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize, maxCodeSize, defaultCodeType,
                defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace, retention, pendingCancelMemory,
                punctuationInterval, maxDuePerPunctuation, maxMessageLength, maxMetadataBytes,
                maxRememberedSubmissions, senderProfiles, defaultMessage, standbyReplicas, Map.of(),
                AbuseLimits.disabled(), ResendPolicy.DEFAULT, false);
    }

    /** The policy of a profile ({@link ProfilePolicy#UNRESTRICTED} when none is configured). */
    public ProfilePolicy policy(String profile) {
        return profilePolicies.getOrDefault(profile, ProfilePolicy.UNRESTRICTED);
    }

    /** The resend policy of a profile: the profile's overrides over {@link #resend()}. */
    public ResendPolicy resendPolicy(String profile) {
        return policy(profile).resend(resend);
    }

    /** The same configuration with this global resend policy. */
    public LifecycleConfig withResend(ResendPolicy policy) {
        return new LifecycleConfig(applicationId, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize,
                maxCodeSize, defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace,
                retention, pendingCancelMemory, punctuationInterval, maxDuePerPunctuation, maxMessageLength,
                maxMetadataBytes, maxRememberedSubmissions, senderProfiles, defaultMessage, standbyReplicas,
                profilePolicies, abuse, policy, guardIssuesCommands);
    }

    /** The same configuration with these per-number limits. */
    public LifecycleConfig withAbuse(AbuseLimits limits) {
        return new LifecycleConfig(applicationId, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize,
                maxCodeSize, defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace,
                retention, pendingCancelMemory, punctuationInterval, maxDuePerPunctuation, maxMessageLength,
                maxMetadataBytes, maxRememberedSubmissions, senderProfiles, defaultMessage, standbyReplicas,
                profilePolicies, limits, resend, guardIssuesCommands);
    }

    /** The same configuration with these profile policies (their names must be in senderProfiles). */
    public LifecycleConfig withProfilePolicies(Map<String, ProfilePolicy> policies) {
        return new LifecycleConfig(applicationId, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize,
                maxCodeSize, defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace,
                retention, pendingCancelMemory, punctuationInterval, maxDuePerPunctuation, maxMessageLength,
                maxMetadataBytes, maxRememberedSubmissions, senderProfiles, defaultMessage, standbyReplicas,
                policies, abuse, resend, guardIssuesCommands);
    }

    /**
     * The same configuration with the number guard issuing granted commands ({@code true}, the default) or the
     * lifecycle issuing them on the verdict ({@code false}: the permit request carries no command, as before).
     */
    public LifecycleConfig withGuardIssuesCommands(boolean issues) {
        return new LifecycleConfig(applicationId, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize,
                maxCodeSize, defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace,
                retention, pendingCancelMemory, punctuationInterval, maxDuePerPunctuation, maxMessageLength,
                maxMetadataBytes, maxRememberedSubmissions, senderProfiles, defaultMessage, standbyReplicas,
                profilePolicies, abuse, resend, issues);
    }

    /** The documented defaults (see streams-state/README.md). */
    public static LifecycleConfig defaults() {
        return new LifecycleConfig("egoi-verify-lifecycle", Duration.ofSeconds(60), Duration.ofSeconds(30),
                Duration.ofSeconds(3600), 6, 4, 10, CodeType.NUMERIC, 5, 10, Duration.ofSeconds(30),
                Duration.ofSeconds(15), Duration.ofHours(24), Duration.ofMinutes(10), Duration.ofMillis(250), 5_000,
                160, 1024, 32, Set.of(DEFAULT_PROFILE), "Your verification code is {CODE}", 0);
    }

    public LifecycleConfig withApplicationId(String id) {
        return new LifecycleConfig(id, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize, maxCodeSize,
                defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace, retention,
                pendingCancelMemory, punctuationInterval, maxDuePerPunctuation, maxMessageLength, maxMetadataBytes,
                maxRememberedSubmissions, senderProfiles, defaultMessage, standbyReplicas,
                profilePolicies, abuse, resend, guardIssuesCommands);
    }

    public LifecycleConfig withSenderProfiles(Set<String> profiles) {
        return new LifecycleConfig(applicationId, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize,
                maxCodeSize, defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace,
                retention, pendingCancelMemory, punctuationInterval, maxDuePerPunctuation, maxMessageLength,
                maxMetadataBytes, maxRememberedSubmissions, profiles, defaultMessage, standbyReplicas,
                profilePolicies, abuse, resend, guardIssuesCommands);
    }

    public LifecycleConfig withPunctuation(Duration interval, int maxDue) {
        return new LifecycleConfig(applicationId, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize,
                maxCodeSize, defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace,
                retention, pendingCancelMemory, interval, maxDue, maxMessageLength, maxMetadataBytes,
                maxRememberedSubmissions, senderProfiles, defaultMessage, standbyReplicas,
                profilePolicies, abuse, resend, guardIssuesCommands);
    }

    public LifecycleConfig withTimes(Duration sendDeadline, Duration resultGrace, Duration retention,
                                     Duration pendingCancelMemory) {
        return new LifecycleConfig(applicationId, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize,
                maxCodeSize, defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace,
                retention, pendingCancelMemory, punctuationInterval, maxDuePerPunctuation, maxMessageLength,
                maxMetadataBytes, maxRememberedSubmissions, senderProfiles, defaultMessage, standbyReplicas,
                profilePolicies, abuse, resend, guardIssuesCommands);
    }

    public LifecycleConfig withTtls(Duration min, Duration dflt, Duration max) {
        return new LifecycleConfig(applicationId, dflt, min, max, defaultCodeSize, minCodeSize, maxCodeSize,
                defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace, retention,
                pendingCancelMemory, punctuationInterval, maxDuePerPunctuation, maxMessageLength, maxMetadataBytes,
                maxRememberedSubmissions, senderProfiles, defaultMessage, standbyReplicas,
                profilePolicies, abuse, resend, guardIssuesCommands);
    }

    public LifecycleConfig withStandbyReplicas(int replicas) {
        return new LifecycleConfig(applicationId, defaultTtl, minTtl, maxTtl, defaultCodeSize, minCodeSize,
                maxCodeSize, defaultCodeType, defaultMaxAttempts, maxAttemptsLimit, sendDeadline, resultGrace,
                retention, pendingCancelMemory, punctuationInterval, maxDuePerPunctuation, maxMessageLength,
                maxMetadataBytes, maxRememberedSubmissions, senderProfiles, defaultMessage, replicas,
                profilePolicies, abuse, resend, guardIssuesCommands);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("invalid lifecycle configuration: " + message);
        }
    }
}
