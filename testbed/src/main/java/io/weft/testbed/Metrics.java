package io.weft.testbed;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a Prometheus text endpoint from inside a namespace into {@code name{labels} -> value}. */
public final class Metrics {

    private Metrics() {
    }

    /** {@code curl -s http://127.0.0.1:<port>/metrics} inside {@code netns}, parsed. */
    public static Map<String, Number> fetch(Netns netns, int port) {
        return fetch(netns, "127.0.0.1", port);
    }

    /** {@code curl -s http://<host>:<port>/metrics} inside {@code netns}, parsed. */
    public static Map<String, Number> fetch(Netns netns, String host, int port) {
        ExecResult result = netns.exec(Duration.ofSeconds(10),
            List.of("curl", "-sS", "-f", "--max-time", "5", "http://" + host + ":" + port + "/metrics")).orThrow();
        return parse(result.stdout());
    }

    /**
     * Parses Prometheus text format: {@code name value [timestamp]} or {@code name{k="v",...} value [timestamp]};
     * blank and {@code #} lines are skipped. The key is the text before the value, labels included verbatim. Integral
     * values become {@link Long}, others (with '.', exponent, NaN, +Inf) {@link Double}.
     */
    public static Map<String, Number> parse(String text) {
        Map<String, Number> metrics = new LinkedHashMap<>();
        int lineNumber = 0;
        for (String raw : text.split("\n", -1)) {
            lineNumber++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int keyEnd = keyEnd(line);
            if (keyEnd <= 0 || keyEnd >= line.length() || !Character.isWhitespace(line.charAt(keyEnd))) {
                throw new IllegalArgumentException("metrics line " + lineNumber + " is malformed: " + raw);
            }
            String key = line.substring(0, keyEnd);
            String[] rest = line.substring(keyEnd).strip().split("\\s+");
            if (rest.length > 2 || rest[0].isEmpty()) {
                throw new IllegalArgumentException("metrics line " + lineNumber + " is malformed: " + raw);
            }
            try {
                metrics.put(key, value(rest[0]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("metrics line " + lineNumber + " has a bad value: " + raw, e);
            }
        }
        return metrics;
    }

    /** Index just past the metric name and its {labels}; label values may hold spaces, braces and \" escapes. */
    private static int keyEnd(String line) {
        int index = 0;
        while (index < line.length() && isNameChar(line.charAt(index), index == 0)) {
            index++;
        }
        if (index == 0) {
            return -1;
        }
        if (index < line.length() && line.charAt(index) == '{') {
            boolean quoted = false;
            for (index++; index < line.length(); index++) {
                char c = line.charAt(index);
                if (quoted && c == '\\') {
                    index++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (!quoted && c == '}') {
                    return index + 1;
                }
            }
            return -1;
        }
        return index;
    }

    private static boolean isNameChar(char c, boolean first) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || !first && c >= '0' && c <= '9';
    }

    private static Number value(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
            case "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        if (text.matches("[+-]?[0-9]+")) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return Double.parseDouble(text);
            }
        }
        if (!text.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            throw new NumberFormatException(text);
        }
        return Double.parseDouble(text);
    }
}
