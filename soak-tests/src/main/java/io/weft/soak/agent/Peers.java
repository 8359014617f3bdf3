package io.weft.soak.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An agent's peers, as its control file lists them: {@code udp IP} (probe this pod), {@code tcp IP SEED} (keep a
 * checked pattern connection to this pod) and {@code phase MICROS} (where in the period its probes go out). The
 * controller rewrites the file whole; the agent reads it when it changes.
 */
public record Peers(List<String> udp, Map<String, Long> tcp, long phaseMicros) {
    public static final Peers NONE = new Peers(List.of(), Map.of(), 0);

    public Peers {
        udp = List.copyOf(udp);
        tcp = Map.copyOf(tcp);
    }

    public Peers(List<String> udp, Map<String, Long> tcp) {
        this(udp, tcp, 0);
    }

    public String format() {
        StringBuilder text = new StringBuilder();
        if (phaseMicros != 0) {
            text.append("phase ").append(phaseMicros).append('\n');
        }
        udp.forEach(ip -> text.append("udp ").append(ip).append('\n'));
        new TreeMap<>(tcp).forEach((ip, seed) -> text.append("tcp ").append(ip).append(' ').append(seed)
            .append('\n'));
        return text.toString();
    }

    public static Peers parse(String text) {
        List<String> udp = new ArrayList<>();
        Map<String, Long> tcp = new LinkedHashMap<>();
        long phase = 0;
        for (String line : text.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length == 2 && "udp".equals(fields[0])) {
                udp.add(fields[1]);
            } else if (fields.length == 2 && "phase".equals(fields[0])) {
                phase = Long.parseLong(fields[1]);
            } else if (fields.length == 3 && "tcp".equals(fields[0])) {
                tcp.put(fields[1], Long.parseLong(fields[2]));
            } else if (!line.isBlank()) {
                throw new IllegalArgumentException("bad control line: " + line);
            }
        }
        return new Peers(udp, tcp, phase);
    }

    /** Writes the file by rename, so the agent never reads half of it. */
    public void writeTo(Path file) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, format(), StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
