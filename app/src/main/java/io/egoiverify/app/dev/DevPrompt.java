package io.egoiverify.app.dev;

import io.egoiverify.worker.sandbox.OutboxEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * The dev mode's interactive prompt. Commands: {@code request <requestId> <phone>}, {@code submit <requestId> <code>},
 * {@code resend <requestId>}, {@code cancel <requestId>}, {@code outbox}, {@code help}, {@code quit}. Outcomes print
 * as they arrive (from the outcome reader's thread), so the prompt only echoes what it published.
 */
public final class DevPrompt {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private final DevStack stack;
    private final PrintStream out;

    public DevPrompt(DevStack stack, PrintStream out) {
        this.stack = stack;
        this.out = out;
    }

    /** Reads commands until {@code quit}; returns true if the user quit, false if the input ended. */
    public boolean run(InputStream in) throws IOException {
        help();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        while (true) {
            out.print("> ");
            out.flush();
            String line = reader.readLine();
            if (line == null) {
                return false;
            }
            String[] w = line.trim().split("\\s+");
            try {
                switch (w[0]) {
                    case "" -> { }
                    case "request" -> {
                        need(w, 3, "request <requestId> <phone>");
                        stack.publisher().request(w[1], w[2], null, null, null, null, null, Map.of());
                        out.println("requested " + w[1]);
                    }
                    case "submit" -> {
                        need(w, 3, "submit <requestId> <code>");
                        String id = stack.publisher().submit(w[1], w[2], null);
                        out.println("submitted a code for " + w[1] + " (submission " + id + ")");
                    }
                    case "resend" -> {
                        need(w, 2, "resend <requestId>");
                        stack.publisher().resend(w[1], "asked at the dev prompt");
                        out.println("resend requested for " + w[1]);
                    }
                    case "cancel" -> {
                        need(w, 2, "cancel <requestId>");
                        stack.publisher().cancel(w[1], "cancelled from the dev prompt");
                        out.println("cancel requested for " + w[1]);
                    }
                    case "outbox" -> outbox();
                    case "help", "?" -> help();
                    case "quit", "exit" -> {
                        return true;
                    }
                    default -> out.println("unknown command '" + w[0] + "' (type help)");
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                out.println(e.getMessage());
            }
        }
    }

    private void outbox() {
        List<OutboxEntry> sent = stack.sandbox().outbox();
        if (sent.isEmpty()) {
            out.println("(the sandbox has sent no SMS yet)");
        }
        for (OutboxEntry e : sent) {
            // The sandbox is a test double: showing its codes is its purpose. Nothing here is logged.
            out.printf("%s  to %-16s code %-10s E-goi id %s  \"%s\"%n", TIME.format(e.sentAt()), e.number(),
                    e.code(), e.requestId(), e.text());
        }
    }

    private void help() {
        out.println("""
                commands:
                  request <requestId> <phone>   ask for a code (phone in E.164, e.g. +351910000000)
                  submit <requestId> <code>     submit a code (see outbox for what the sandbox sent)
                  resend <requestId>            send a new code for the same verification (only the newest verifies)
                  cancel <requestId>            cancel a verification
                  outbox                        the SMS the E-goi sandbox "sent", with their codes
                  help                          this text
                  quit                          stop everything""");
    }

    private static void need(String[] words, int n, String usage) {
        if (words.length != n) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }
}
