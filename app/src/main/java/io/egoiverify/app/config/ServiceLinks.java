package io.egoiverify.app.config;

import java.util.regex.Pattern;

/**
 * Recognises the variables Kubernetes adds to a pod for each Service of its namespace ("service links", on unless a
 * pod sets {@code enableServiceLinks: false}). A Service named {@code egoi-verify-<x>} gives
 * {@code EGOI_VERIFY_<X>_SERVICE_HOST}, {@code EGOI_VERIFY_<X>_PORT} and more, which would otherwise be refused as
 * unknown settings and stop the process. Both the name and the value must have the kubelet's shape, so a mistyped
 * setting is still refused.
 */
final class ServiceLinks {
    private static final String IP = "[0-9.]+|[0-9A-Fa-f:]+";
    private static final String URL = "(tcp|udp|sctp)://(" + IP + "|\\[[0-9A-Fa-f:]+\\]):[0-9]{1,5}";
    private static final Pattern HOST = Pattern.compile("[A-Z0-9_]+_SERVICE_HOST=(" + IP + ")");
    private static final Pattern SERVICE_PORT = Pattern.compile("[A-Z0-9_]+_SERVICE_PORT(_[A-Z0-9_]+)?=[0-9]{1,5}");
    private static final Pattern PORT = Pattern.compile("[A-Z0-9_]+_PORT(_[0-9]{1,5}_(TCP|UDP|SCTP))?=" + URL);
    private static final Pattern PORT_PART = Pattern.compile(
            "[A-Z0-9_]+_PORT_[0-9]{1,5}_(TCP|UDP|SCTP)_(PROTO=(tcp|udp|sctp)|PORT=[0-9]{1,5}|ADDR=(" + IP + "))");

    private ServiceLinks() {
    }

    /** True when {@code name=value} is one of the variables Kubernetes derives from a Service. */
    static boolean isOne(String name, String value) {
        String both = name + "=" + value.trim();
        return HOST.matcher(both).matches() || SERVICE_PORT.matcher(both).matches() || PORT.matcher(both).matches()
                || PORT_PART.matcher(both).matches();
    }
}
