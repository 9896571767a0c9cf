package io.egoiverify.schemas.testdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;

/** Edits a schema's JSON the way a developer would edit the .avsc: for evolution tests. */
public final class SchemaEdits {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaEdits() {
    }

    /** Adds {@code name: ["null", "string"] = null} at the end: the usual compatible change. */
    public static Schema withOptionalField(Schema schema, String name) {
        ObjectNode root = tree(schema);
        ObjectNode field = ((ArrayNode) root.get("fields")).addObject();
        field.put("name", name);
        field.set("type", JSON.createArrayNode().add("null").add(JSON.createObjectNode().put("type", "string")
                .put("avro.java.string", "String")));
        field.putNull("default");
        return parse(root);
    }

    /** Removes a field (a breaking change when the field has no default). */
    public static Schema withoutField(Schema schema, String name) {
        ObjectNode root = tree(schema);
        ArrayNode fields = (ArrayNode) root.get("fields");
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).get("name").asText().equals(name)) {
                fields.remove(i);
                return parse(root);
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    /** Renames a field without an alias (a breaking change). */
    public static Schema withRenamedField(Schema schema, String from, String to) {
        ObjectNode root = tree(schema);
        for (JsonNode field : root.get("fields")) {
            if (field.get("name").asText().equals(from)) {
                ((ObjectNode) field).put("name", to);
                return parse(root);
            }
        }
        throw new IllegalArgumentException("no field " + from);
    }

    /** Replaces the namespace everywhere it appears (records and enums): a breaking change for named union types. */
    public static Schema withNamespace(Schema schema, String namespace) {
        String text = schema.toString().replace("\"" + schema.getNamespace() + "\"", "\"" + namespace + "\"")
                .replace("\"" + schema.getNamespace() + ".", "\"" + namespace + ".");
        return new Schema.Parser().parse(text);
    }

    /** Adds a symbol to the enum named {@code enumName} wherever it is declared (a compatible change with a default). */
    public static Schema withEnumSymbol(Schema schema, String enumName, String symbol) {
        ObjectNode root = tree(schema);
        if (!addSymbol(root, enumName, symbol)) {
            throw new IllegalArgumentException("no enum " + enumName);
        }
        return parse(root);
    }

    private static boolean addSymbol(JsonNode node, String enumName, String symbol) {
        if (node.isObject() && "enum".equals(node.path("type").asText()) && enumName.equals(node.path("name").asText())) {
            ((ArrayNode) node.get("symbols")).add(symbol);
            return true;
        }
        boolean found = false;
        for (JsonNode child : node) {
            found |= (child.isContainerNode() && addSymbol(child, enumName, symbol));
        }
        return found;
    }

    private static ObjectNode tree(Schema schema) {
        try {
            return (ObjectNode) JSON.readTree(schema.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema parse(JsonNode root) {
        return new Schema.Parser().parse(root.toString());
    }
}
