package io.weft.soak.report;

import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.Pair;
import io.weft.soak.observe.SoakData;
import io.weft.soak.observe.TcpEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checked TCP connections' events judged: a break (corrupted byte, reset, error) is allowed only in the window of
 * a fault that ends the connections of a node at either end (a node leaving); a stall only in the window of a node
 * fault at either end, or while the machine itself stalled. Connections closed cleanly (EOF) were ended on purpose:
 * by the mesh, or at the run's end.
 */
public final class TcpJudge {
    /** An event and the fault that allows it, if any, or whether the machine stalled meanwhile. */
    public record Judged(TcpEvent event, FaultRecord allowedBy, boolean machineStalled) {
        public boolean allowed() {
            return allowedBy != null || machineStalled;
        }
    }

    private final List<Judged> breaks = new ArrayList<>();
    private final List<Judged> stalls = new ArrayList<>();
    private final List<Judged> resumes = new ArrayList<>();

    public TcpJudge(SoakData data, Attribution attribution) {
        for (TcpEvent event : data.tcp()) {
            Pair ends = new Pair(event.source(), event.sink());
            if (isBreak(event)) {
                breaks.add(new Judged(event, owner(data, attribution, ends, event.micros(), event.micros(), true)
                    .orElse(null), false));
            } else if ("stall".equals(event.type()) || "resume".equals(event.type())) {
                long since = "stall".equals(event.type()) ? parseOr(event.detail(), event.micros())
                    : event.micros() - event.millis() * 1000;
                long until = event.micros();
                boolean machine = data.machineStalls().stream().anyMatch(m -> m.toMicros() >= since
                    && m.fromMicros() <= until);
                Judged judged = new Judged(event, owner(data, attribution, ends, since, until, false).orElse(null),
                    machine);
                ("stall".equals(event.type()) ? stalls : resumes).add(judged);
            }
        }
    }

    static boolean isBreak(TcpEvent event) {
        return "corrupt".equals(event.type()) || "error".equals(event.type())
            || "closed".equals(event.type()) && !event.detail().startsWith("eof");
    }

    public List<Judged> breaks() {
        return breaks;
    }

    public List<Judged> stalls() {
        return stalls;
    }

    /** Stalls that ended, with their lengths. */
    public List<Judged> resumes() {
        return resumes;
    }

    private static Optional<FaultRecord> owner(SoakData data, Attribution attribution, Pair ends, long from, long to,
        boolean mustEndTcp) {
        return data.faults().stream()
            .filter(f -> f.nodeScoped() && f.node() != null && ends.involves(f.node()) && (!mustEndTcp || f.endsTcp()))
            .filter(f -> attribution.inWindow(f, from) || attribution.inWindow(f, to)
                || from <= f.startMicros() && to >= f.endMicros())
            .reduce((a, b) -> b);
    }

    private static long parseOr(String text, long fallback) {
        try {
            return Long.parseLong(text.strip().split(" ")[0]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return fallback;
        }
    }
}
