package io.egoiverify.app.config;

/** What the process is started for; decides which settings are required. */
public enum Mode {
    /** Production: {@code run --role state|worker|all}. */
    RUN,
    /** Everything embedded on loopback. */
    DEV,
    /** The E-goi sandbox alone. */
    SANDBOX,
    /** Kafka clients against a configured cluster: {@code publish}, {@code tail}. */
    CLIENT,
    /** Kafka clients without the registry (raw bytes): {@code dlq list|replay}. */
    KAFKA,
    /** Registry only: {@code schemas register|check}. */
    SCHEMAS,
    /** HTTP to a running instance only: {@code status}. */
    QUERY,
    /** E-goi only, the sender profiles included: {@code egoi check}. */
    EGOI
}
