package io.egoiverify.worker.egoi;

/** A request refused before any call (bad phone number, code type, message, ...). Messages carry no secrets. */
public final class InvalidRequestException extends IllegalArgumentException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
