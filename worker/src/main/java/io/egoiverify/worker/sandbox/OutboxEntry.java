package io.egoiverify.worker.sandbox;

import java.time.Instant;

/**
 * An SMS the sandbox "sent". It carries the code in clear because the sandbox is a test double: tests and the dev mode
 * read it to play the user. Never point production traffic at the sandbox.
 */
public record OutboxEntry(String number, String text, String requestId, String code, Instant sentAt) {
}
