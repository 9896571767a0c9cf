package io.egoiverify.schemas.registry;

/**
 * The registry answered 401 or 403: the credentials ({@code basic.auth.user.info}) are missing or wrong. A
 * configuration problem, never a property of a record, so it is a {@link RegistryUnavailableException}: callers retry
 * (and alert) rather than dead-letter valid records.
 */
public class RegistryAccessDeniedException extends RegistryUnavailableException {
    public RegistryAccessDeniedException(String message) {
        super(message, null);
    }
}
