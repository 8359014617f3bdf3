package io.weft.soak.observe;

/**
 * A time the controller itself did not run for much longer than it slept: the whole machine stalled (it is shared),
 * and every process with it, weftd or not. Microseconds since the epoch.
 */
public record MachineStall(long fromMicros, long toMicros) {
}
