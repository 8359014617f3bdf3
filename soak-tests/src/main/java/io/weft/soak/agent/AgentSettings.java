package io.weft.soak.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pod agent is told on its command line: its own address, the shared clock origin, probe rate and ports, the
 * pattern rate of its TCP sources, the stall bound of its sinks, and the control file that names its peers.
 *
 * @param epochNanos the controller's {@code System.nanoTime()} at the run's start: CLOCK_MONOTONIC is one clock for
 *     every process of the machine (namespaces do not change it), so agents stamp and compare times in it
 */
public record AgentSettings(String podIp, long epochNanos, int probesPerSecond, int udpPort, int tcpPort,
                            int tcpBytesPerSecond, int stallMs, int lossHorizonMs, Path controlFile) {
    public static final int DEFAULT_UDP_PORT = 7100;
    public static final int DEFAULT_TCP_PORT = 7200;

    public AgentSettings {
        if (probesPerSecond < 1 || probesPerSecond > 1000) {
            throw new IllegalArgumentException("probes per second must be 1..1000: " + probesPerSecond);
        }
        if (tcpBytesPerSecond < 0 || stallMs < 100 || lossHorizonMs < 100) {
            throw new IllegalArgumentException("bad agent settings: tcp " + tcpBytesPerSecond + " B/s, stall "
                + stallMs + " ms, horizon " + lossHorizonMs + " ms");
        }
    }

    /** The time between two probes to one peer. */
    public long periodMicros() {
        return 1_000_000L / probesPerSecond;
    }

    /** Microseconds since the shared epoch, now. */
    public long nowMicros() {
        return (System.nanoTime() - epochNanos) / 1000;
    }

    public List<String> toArgs() {
        return List.of("--pod-ip", podIp, "--epoch-ns", Long.toString(epochNanos),
            "--rate", Integer.toString(probesPerSecond), "--udp-port", Integer.toString(udpPort),
            "--tcp-port", Integer.toString(tcpPort), "--tcp-rate", Integer.toString(tcpBytesPerSecond),
            "--stall-ms", Integer.toString(stallMs), "--horizon-ms", Integer.toString(lossHorizonMs),
            "--control", controlFile.toString());
    }

    public static AgentSettings parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + List.of(args));
            }
            values.put(args[i].substring(2), args[i + 1]);
        }
        List<String> missing = new ArrayList<>();
        for (String name : List.of("pod-ip", "epoch-ns", "rate", "udp-port", "tcp-port", "tcp-rate", "stall-ms",
            "horizon-ms", "control")) {
            if (!values.containsKey(name)) {
                missing.add("--" + name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing " + missing);
        }
        return new AgentSettings(values.get("pod-ip"), Long.parseLong(values.get("epoch-ns")),
            Integer.parseInt(values.get("rate")), Integer.parseInt(values.get("udp-port")),
            Integer.parseInt(values.get("tcp-port")), Integer.parseInt(values.get("tcp-rate")),
            Integer.parseInt(values.get("stall-ms")), Integer.parseInt(values.get("horizon-ms")),
            Path.of(values.get("control")));
    }
}
