package io.weft.testbed;

/**
 * One look at a weftd process from outside: resident memory, and of it the pages of mapped files (the JVM's own code
 * and class archive, which every JVM on the machine shares), heap in use (from the JVM's perf data; -1 when it cannot
 * be read), live threads, open file descriptors, and CPU time so far in clock ticks.
 */
public record ProcessSample(long pid, long rssKb, long rssFileKb, long heapUsedBytes, int threads, int fds,
                            long cpuTicks) {
}
