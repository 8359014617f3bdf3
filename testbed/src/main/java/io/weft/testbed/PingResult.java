package io.weft.testbed;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one iputils {@code ping} run reported: counts, the rtt summary, and every reply's time (ms). */
public record PingResult(int transmitted, int received, double minMs, double avgMs, double maxMs,
                         List<Double> replyTimesMs) {
    private static final Pattern SUMMARY =
        Pattern.compile("^(\\d+) packets transmitted, (\\d+) (?:packets )?received\\b", Pattern.MULTILINE);
    private static final Pattern RTT =
        Pattern.compile("^(?:rtt|round-trip) min/avg/max(?:/[a-z]+)? = ([0-9.]+)/([0-9.]+)/([0-9.]+)",
            Pattern.MULTILINE);
    private static final Pattern REPLY = Pattern.compile("^\\d+ bytes from .*\\btime[=<]([0-9.]+) ms(.*)$",
        Pattern.MULTILINE);

    public PingResult {
        replyTimesMs = List.copyOf(replyTimesMs);
    }

    /**
     * Parses iputils ping output. Without any reply there is no rtt line: min/avg/max are NaN. Duplicate replies
     * ({@code DUP!}) are not counted as reply times.
     */
    public static PingResult parse(String output) {
        Matcher summary = SUMMARY.matcher(output);
        if (!summary.find()) {
            throw new IllegalArgumentException("no ping statistics in output:\n" + output);
        }
        int transmitted = Integer.parseInt(summary.group(1));
        int received = Integer.parseInt(summary.group(2));
        double min = Double.NaN;
        double avg = Double.NaN;
        double max = Double.NaN;
        Matcher rtt = RTT.matcher(output);
        if (rtt.find()) {
            min = Double.parseDouble(rtt.group(1));
            avg = Double.parseDouble(rtt.group(2));
            max = Double.parseDouble(rtt.group(3));
        } else if (received > 0) {
            throw new IllegalArgumentException("ping received " + received + " replies but printed no rtt:\n" + output);
        }
        List<Double> times = new ArrayList<>();
        Matcher reply = REPLY.matcher(output);
        while (reply.find()) {
            if (!reply.group(2).contains("DUP!")) {
                times.add(Double.parseDouble(reply.group(1)));
            }
        }
        return new PingResult(transmitted, received, min, avg, max, times);
    }

    /** Fraction of echo requests without a reply, 0.0 to 1.0. */
    public double lossRatio() {
        return transmitted == 0 ? 0.0 : (transmitted - received) / (double) transmitted;
    }

    /** Nearest-rank percentile (0 < p <= 100) of the reply times; NaN without replies. */
    public double percentileMs(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        if (replyTimesMs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = replyTimesMs.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }
}
