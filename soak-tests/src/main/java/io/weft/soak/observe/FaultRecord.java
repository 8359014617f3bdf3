package io.weft.soak.observe;

/**
 * A fault as injected: its kind, whether it targets one node (whose pairs it may cost; a cluster fault may cost no
 * pair anything) and whether it ends that node's TCP connections by design, the node (null for a cluster fault), when
 * it began and when the soak had undone it (microseconds since the epoch), what happened, and why it failed, if so.
 * After it, the soak waits for every pair to flow again: {@code healedMicros} says when they did (-1: not before the
 * soak gave up), {@code selfHealed} whether they did without help, and {@code repair} what the soak did otherwise
 * (replace the nodes cut off for good, as an operator would). An incident ({@link #INCIDENT}: a weftd that exited
 * without the soak ending it, restarted as a kubelet would) is recorded the same way, with the fault it happened
 * under, if any, as its {@code cause}.
 */
public record FaultRecord(int index, String kind, boolean nodeScoped, boolean endsTcp, String node, long startMicros,
                          long endMicros, String detail, String error, long healedMicros, boolean selfHealed,
                          String repair, int cause) {
    /** The kind of an incident: weftd exited on its own. */
    public static final String INCIDENT = "weftd-exit";
    /** Incidents are numbered from here, after the faults. */
    public static final int FIRST_INCIDENT = 101;

    /** When the fault's effects end: undone by the soak and every pair flowing again (or the soak gave up). */
    public long settledMicros() {
        return Math.max(endMicros, healedMicros);
    }

    public FaultRecord healed(long micros, boolean onItsOwn, String repairDone) {
        return new FaultRecord(index, kind, nodeScoped, endsTcp, node, startMicros, endMicros, detail, error, micros,
            onItsOwn, repairDone, cause);
    }
}
