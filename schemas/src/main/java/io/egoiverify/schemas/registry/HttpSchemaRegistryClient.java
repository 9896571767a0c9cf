package io.egoiverify.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A Confluent Schema Registry REST client (also speaks to Apicurio's {@code /apis/ccompat/v7}) on Apache HttpClient 5.
 *
 * <p>Caching: every (subject, schema) id and every id's schema is fetched once per client and kept for the life of the
 * process (ids are immutable in a registry); concurrent callers asking for the same key wait for one HTTP call. A
 * subject's latest version is kept for {@code latest.cache.ttl.sec} (forever by default, as Confluent's client does).
 * Failures are never cached: the next call asks again.
 *
 * <p>Errors: see {@link SchemaRegistryClient}; in addition {@link IncompatibleSchemaException} (409 on register) and
 * {@link InvalidSchemaException} (422, or an id that names a non-Avro schema). Thread-safe.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    private final RegistryHttp http;
    private final RegistryClientConfig config;
    private final Clock clock;
    private final Map<SubjectSchema, Integer> idBySubjectSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<String, CachedLatest> latestBySubject = new ConcurrentHashMap<>();

    public HttpSchemaRegistryClient(RegistryClientConfig config) {
        this(config, Clock.systemUTC());
    }

    public HttpSchemaRegistryClient(RegistryClientConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = new RegistryHttp(config);
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        Integer cached = idBySubjectSchema.get(key); // lock-free when warm
        if (cached != null) {
            return cached;
        }
        return idBySubjectSchema.computeIfAbsent(key, k -> {
            JsonNode reply = http.post("/subjects/" + encode(subject) + "/versions", Map.of("schema",
                    schema.toString()),
                    "registering " + schema.getFullName() + " under subject '" + subject + "'");
            int id = requiredInt(reply, "id", "register");
            schemaById.putIfAbsent(id, schema);
            return id;
        });
    }

    @Override
    public int idOf(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        Integer cached = idBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        return idBySubjectSchema.computeIfAbsent(key, k -> {
            JsonNode reply = http.post("/subjects/" + encode(subject), Map.of("schema", schema.toString()),
                    "schema " + schema.getFullName() + " under subject '" + subject + "'");
            int id = requiredInt(reply, "id", "lookup");
            schemaById.putIfAbsent(id, schema);
            return id;
        });
    }

    @Override
    public RegisteredSchema latest(String subject) {
        requireSubject(subject);
        Instant now = clock.instant();
        CachedLatest cached = latestBySubject.get(subject);
        if (cached != null && (config.latestCacheTtl() == null
                || now.isBefore(cached.fetchedAt.plus(config.latestCacheTtl())))) {
            return cached.schema;
        }
        JsonNode reply = http.get("/subjects/" + encode(subject) + "/versions/latest",
                "latest version of subject '" + subject + "'");
        int id = requiredInt(reply, "id", "latest");
        Schema schema = schemaById.computeIfAbsent(id, i -> parse(reply, "schema id " + i));
        RegisteredSchema latest = new RegisteredSchema(id, requiredInt(reply, "version", "latest"), schema);
        latestBySubject.put(subject, new CachedLatest(latest, now));
        return latest;
    }

    @Override
    public Schema byId(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        return schemaById.computeIfAbsent(id, i -> parse(http.get("/schemas/ids/" + i, "schema id " + i),
                "schema id " + i));
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "HttpSchemaRegistryClient[" + config + "]";
    }

    private static Schema parse(JsonNode reply, String what) {
        JsonNode type = reply.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new InvalidSchemaException(what + " is a " + type.asText() + " schema, not Avro", null);
        }
        JsonNode text = reply.get("schema");
        if (text == null || !text.isTextual()) {
            throw new RegistryUnavailableException("schema registry answer for " + what + " has no schema text", null);
        }
        try {
            return new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw new InvalidSchemaException(what + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    private static int requiredInt(JsonNode reply, String field, String call) {
        JsonNode node = reply == null ? null : reply.get(field);
        if (node == null || !node.canConvertToInt()) {
            throw new RegistryUnavailableException("schema registry answer to " + call + " has no numeric '" + field
                    + "': " + reply, null);
        }
        return node.asInt();
    }

    private static String requireSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be blank");
        }
        return subject;
    }

    /** Subjects are path segments: percent-encode everything but unreserved characters. */
    static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private record SubjectSchema(String subject, Schema schema) {
    }

    private record CachedLatest(RegisteredSchema schema, Instant fetchedAt) {
    }
}
