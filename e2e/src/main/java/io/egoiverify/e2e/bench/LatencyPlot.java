package io.egoiverify.e2e.bench;

import java.util.List;
import java.util.Locale;

/**
 * A small SVG bar chart: per step, p50 and p99 of request→sent and submit→verified (minus provider latency), with the
 * 300 ms target as a line. Plain SVG text, no plotting library.
 */
final class LatencyPlot {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 360;
    private static final int LEFT = 60;
    private static final int BOTTOM = 300;

    private LatencyPlot() {
    }

    static String svg(List<StepResult> steps) {
        return svg(steps, 300);
    }

    /** The same chart with the target line at {@code targetMs}. */
    static String svg(List<StepResult> steps, long targetMs) {
        long max = targetMs;
        for (StepResult s : steps) {
            max = Math.max(max, Math.max(s.requestToSentMinusProvider().p99(),
                    s.submitToVerifiedMinusProvider().p99()));
        }
        double scale = (BOTTOM - 30) / (double) max;
        int group = (WIDTH - LEFT - 20) / Math.max(1, steps.size());
        int bar = Math.max(4, group / 6);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                        + "font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\">p50 / p99 latency minus "
                + "provider latency (ms): request→sent (blue), submit→verified (green)</text>%n", LEFT));
        line(svg, LEFT, BOTTOM, WIDTH - 10, BOTTOM, "black");
        int target = (int) (BOTTOM - targetMs * scale);
        line(svg, LEFT, target, WIDTH - 10, target, "red");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"red\">%d ms</text>%n", 5, target + 4,
                targetMs));
        for (int i = 0; i < steps.size(); i++) {
            StepResult s = steps.get(i);
            int x = LEFT + 10 + i * group;
            rect(svg, x, s.requestToSentMinusProvider().p50(), bar, scale, "#9ecae1");
            rect(svg, x + bar, s.requestToSentMinusProvider().p99(), bar, scale, "#3182bd");
            rect(svg, x + 2 * bar + 4, s.submitToVerifiedMinusProvider().p50(), bar, scale, "#a1d99b");
            rect(svg, x + 3 * bar + 4, s.submitToVerifiedMinusProvider().p99(), bar, scale, "#31a354");
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x, BOTTOM + 16, s.label()));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%d/s</text>%n", x, BOTTOM + 30,
                    s.offeredPerSecond()));
        }
        return svg.append("</svg>\n").toString();
    }

    private static void rect(StringBuilder svg, int x, long value, int width, double scale, String color) {
        if (value < 0) {
            return;
        }
        int h = (int) Math.max(1, value * scale);
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                + "<title>%d ms</title></rect>%n", x, BOTTOM - h, width, h, color, value));
    }

    private static void line(StringBuilder svg, int x1, int y1, int x2, int y2, String color) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, color));
    }
}
