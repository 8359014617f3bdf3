package io.weft.soak.observe;

/** One look at a node's weftd, at {@code micros} since the epoch (see {@code ProcessSample}). */
public record ResourceSample(long micros, String node, long pid, long rssKb, long heapUsedBytes, int threads, int fds,
                             long cpuTicks) {
}
