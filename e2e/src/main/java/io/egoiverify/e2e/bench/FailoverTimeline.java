package io.egoiverify.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a fail-over's seconds went, read from the stack's logs after the step: when the dead instance's open
 * transaction was aborted (the broker's log) and when each surviving instance of the killed role rejoined the group,
 * got its new assignment and, for a lifecycle, was running again with the taken-over tasks restored.
 *
 * <p>Only the abort is in the logs by default: the group and Kafka Streams lines are Kafka clients' INFO lines, which
 * the application logs at WARN;
 * {@code LOCAL_STACK_JVM_OPTS="… -Dlogback.configurationFile=$PWD/e2e/logback-failover.xml"} turns them on
 * (e2e/README.md). The lines are matched by Kafka's own wording, so a Kafka upgrade may change what is
 * found: a missing event is left out, never guessed.
 */
final class FailoverTimeline {
    /** One event, {@code afterKillMs} after the kill. */
    record Event(long afterKillMs, String process, String what) {
    }

    /** How far after the kill events are looked for. */
    private static final long HORIZON_MS = 60_000;
    private static final Pattern TIME = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");
    private static final Pattern ROLLBACK = Pattern.compile(
            "Completed rollback of ongoing transaction for transactionalId (\\S+) due to timeout");

    private enum Marker {
        REJOINS("rejoins the group", "Request joining group"),
        ASSIGNED("has its new assignment", "Successfully synced group"),
        RUNNING("is running again, the tasks it took over restored", "State transition from REBALANCING to RUNNING");

        final String what;
        final String text;

        Marker(String what, String text) {
            this.what = what;
            this.text = text;
        }
    }

    private FailoverTimeline() {
    }

    /**
     * @param logs   the stack's log directory
     * @param victim the killed instance ({@code lifecycle-1}, {@code worker-2}, …); its role's other instances are read
     * @param kill   the instant of the kill
     * @param zone   the zone of the logs' times of day (the stack's processes run on this machine)
     */
    static List<Event> read(Path logs, String victim, Instant kill, ZoneId zone) {
        String role = victim.substring(0, victim.lastIndexOf('-') + 1);
        List<Event> events = new ArrayList<>();
        Path broker = logs.resolve("broker.log");
        for (Line l : lines(broker, kill, zone)) {
            Matcher m = ROLLBACK.matcher(l.text());
            if (m.find()) {
                events.add(new Event(l.afterKillMs(), "broker", "aborted the open transaction of " + m.group(1)));
            }
        }
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString().replaceFirst("\\.log$", "");
                if (!name.startsWith(role) || name.equals(victim)) {
                    continue;
                }
                boolean[] seen = new boolean[Marker.values().length];
                for (Line l : lines(f, kill, zone)) {
                    for (Marker marker : Marker.values()) {
                        if (!seen[marker.ordinal()] && l.text().contains(marker.text)) {
                            seen[marker.ordinal()] = true;
                            events.add(new Event(l.afterKillMs(), name, marker.what));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        events.sort(Comparator.comparingLong(Event::afterKillMs));
        return events;
    }

    private record Line(long afterKillMs, String text) {
    }

    /** The lines of {@code file} stamped from the kill to the horizon, with their time after the kill. */
    private static List<Line> lines(Path file, Instant kill, ZoneId zone) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        LocalTime killTime = LocalTime.ofInstant(kill, zone);
        List<Line> out = new ArrayList<>();
        // ISO-8859-1: any byte decodes, so a stray one in a process's output cannot end the read
        try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            lines.forEach(text -> {
                Matcher m = TIME.matcher(text);
                if (!m.find()) {
                    return;
                }
                LocalTime t;
                try {
                    t = LocalTime.parse(m.group(1));
                } catch (DateTimeParseException e) {
                    return;
                }
                long after = killTime.until(t, ChronoUnit.MILLIS);
                if (after < -12 * 3_600_000L) {
                    after += 24 * 3_600_000L; // past midnight
                }
                if (after >= 0 && after <= HORIZON_MS) {
                    out.add(new Line(after, text));
                }
            });
        } catch (IOException e) {
            return out; // a log that cannot be read gives what was read, as a missing one gives nothing
        }
        return out;
    }
}
