package io.egoiverify.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoiverify.app.AppContext;
import io.egoiverify.app.Main;
import io.egoiverify.app.config.AppConfig;
import io.egoiverify.app.config.ConfigException;
import io.egoiverify.app.config.Mode;
import io.egoiverify.app.query.StatusClient;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Ask a lifecycle instance (setting query.url) where a verification stands and print the answer: "
                + "GET /verifications/{requestId} on its operations port.")
public final class StatusCommand extends AppCommand {
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "REQUEST_ID", description = "The verification's requestId.")
    String requestId;

    @Option(names = "--url", paramLabel = "URL", description = "Operations URL of a lifecycle instance (setting "
            + "query.url), e.g. http://10.0.0.7:8080.")
    String url;

    @Option(names = "--json", description = "Print the answer's JSON as it came.")
    boolean json;

    public StatusCommand(AppContext ctx) {
        super(ctx);
    }

    @Override
    protected Mode mode() {
        return Mode.QUERY;
    }

    @Override
    protected Map<String, String> specificFlags() {
        return url == null ? Map.of() : Map.of("query.url", url);
    }

    @Override
    protected void validateMore(AppConfig config) {
        if (!REQUEST_ID.matcher(requestId).matches()) {
            throw new ConfigException("invalid requestId '" + requestId.replaceAll("[^\\x20-\\x7e]", "?")
                    + "': expected 1 to 64 of [A-Za-z0-9._:-]");
        }
    }

    @Override
    protected int run(AppConfig config) throws Exception {
        StatusClient.Reply reply;
        try (StatusClient client = new StatusClient(TIMEOUT, 1)) {
            reply = client.get(config.query().url(), requestId, config.query().authToken(), false).get();
        }
        if (!reply.answered()) {
            ctx.err().println("error: no answer from " + config.query().url() + ": " + reply.failure());
            return Main.EXIT_FAILURE;
        }
        if (reply.code() == 200) {
            if (json) {
                ctx.out().println(reply.body());
            } else {
                print(JSON.readTree(reply.body()));
            }
            return Main.EXIT_OK;
        }
        ctx.err().println("error: " + explain(reply));
        return Main.EXIT_FAILURE;
    }

    private void print(JsonNode answer) {
        for (Map.Entry<String, JsonNode> field : answer.properties()) {
            ctx.out().printf("%-18s %s%n", field.getKey(), field.getValue().isTextual() ? field.getValue().asText()
                    : field.getValue().toString());
        }
    }

    private String explain(StatusClient.Reply reply) {
        String detail = detail(reply.body());
        return switch (reply.code()) {
            case 404 -> "no verification with requestId " + requestId + " (unknown, or already purged)";
            case 401 -> "unauthorized: set query.auth-token (EGOI_VERIFY_QUERY_AUTH_TOKEN[_FILE]) to the instances' "
                    + "token";
            case 503 -> "the instance cannot answer now (" + detail + "); retry after "
                    + (reply.retryAfter() == null ? "a moment" : reply.retryAfter() + " s");
            default -> "the instance answered " + reply.code() + (detail.isEmpty() ? "" : ": " + detail);
        };
    }

    private static String detail(String body) {
        try {
            JsonNode n = JSON.readTree(body == null ? "" : body);
            return n != null && n.hasNonNull("error") ? n.get("error").asText() : "";
        } catch (Exception e) {
            return "";
        }
    }
}
