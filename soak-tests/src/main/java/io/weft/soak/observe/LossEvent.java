package io.weft.soak.observe;

/**
 * Probes of one pair that never arrived, sent (by interpolation) between two times, in microseconds since the run's
 * epoch; {@code tail} when found at the end of a stream (the last probes before it stopped) rather than in a gap.
 */
public record LossEvent(Pair pair, long fromMicros, long toMicros, long count, boolean tail) {
}
