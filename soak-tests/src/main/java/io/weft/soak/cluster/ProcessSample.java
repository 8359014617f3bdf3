package io.weft.soak.cluster;

/**
 * One look at a weftd process from outside: resident memory, heap in use (from the JVM's perf data; -1 when it cannot
 * be read), live threads, open file descriptors, and CPU time so far in clock ticks.
 */
public record ProcessSample(long pid, long rssKb, long heapUsedBytes, int threads, int fds, long cpuTicks) {
}
