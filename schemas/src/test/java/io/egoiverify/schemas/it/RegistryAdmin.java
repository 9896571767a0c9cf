package io.egoiverify.schemas.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Registry settings the serde never changes, for tests: a subject's compatibility rule. */
final class RegistryAdmin {
    private RegistryAdmin() {
    }

    static void setCompatibility(String registryUrl, String subject, String level) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(registryUrl + "/config/" + subject))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("cannot set compatibility of " + subject + ": " + response.statusCode()
                    + " " + response.body());
        }
    }
}
