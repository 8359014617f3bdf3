package io.weft.soak.observe;

/** A weftd that ended without the soak ending it: when, its exit code, its last log lines. */
public record WeftdExit(long micros, String node, int exitCode, String logTail) {
}
