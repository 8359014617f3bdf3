package io.weft.soak.observe;

/** A bulk iperf3 transfer between two pods: when, between which, at what rate it was received, or why it failed. */
public record BurstRecord(long startMicros, long endMicros, String client, String server, double receivedBitsPerSecond,
                          String error) {
}
