package io.weft.soak;

import java.time.Duration;

/**
 * How long and how hard a soak runs. {@code smoke} fits in the test suite: four nodes, every fault kind once, at most
 * four minutes from the first namespace to the report. {@code hour} is the real soak: every fault kind again and
 * again, in a seeded order, with quiet time between them, bulk bursts, and resource bounds it can judge.
 */
public enum Profile {
    SMOKE(4, Duration.ofMinutes(4), 3, 10, 5, 13, 0, 1, 4, 60, 3, "100M", Duration.ofMinutes(10), false, 5000,
        Duration.ofSeconds(12)),
    HOUR(8, Duration.ofMinutes(60), 5, 30, 20, 60, 15, 45, 5, 120, 10, "200M", Duration.ofMinutes(10), true, 8000,
        Duration.ofSeconds(30));

    /** UDP probes per second from each pod to each peer pod. */
    public static final int PROBES_PER_SECOND = 20;
    /** Pattern bytes per second on each checked TCP connection. */
    public static final int TCP_BYTES_PER_SECOND = 32 * 1024;
    /** A TCP connection without a byte for longer than this is stalled. */
    public static final int STALL_MS = 2000;
    /** A probe later than this is lost. */
    public static final int LOSS_HORIZON_MS = 2000;
    /** A weftd (re)started must answer /healthz within this. */
    public static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(60);

    final int defaultNodes;
    final Duration defaultDuration;
    final int sampleSeconds;
    final int progressSeconds;
    final int idleSeconds;
    final int warmupSeconds;
    final int quietMinSeconds;
    final int quietMaxSeconds;
    /** After a fault ends, how long its effects are still its own. */
    final int settleSeconds;
    final int burstEverySeconds;
    final int burstSeconds;
    final String burstBitrate;
    /** Resources are judged for growth only over a process life at least this long after warm-up. */
    final Duration slopeMinimumSpan;
    /** Every fault kind again and again until the duration ends, rather than each once. */
    final boolean repeats;
    /** How long a held fault (an etcd member down, a lowered MTU, loss) lasts. */
    final long holdMillis;
    /** How long, after a fault, every pair may take to flow again before the soak replaces the nodes cut off. */
    final Duration healWait;

    Profile(int defaultNodes, Duration defaultDuration, int sampleSeconds, int progressSeconds, int idleSeconds,
        int warmupSeconds, int quietMinSeconds, int quietMaxSeconds, int settleSeconds, int burstEverySeconds,
        int burstSeconds, String burstBitrate, Duration slopeMinimumSpan, boolean repeats, long holdMillis,
        Duration healWait) {
        this.defaultNodes = defaultNodes;
        this.defaultDuration = defaultDuration;
        this.sampleSeconds = sampleSeconds;
        this.progressSeconds = progressSeconds;
        this.idleSeconds = idleSeconds;
        this.warmupSeconds = warmupSeconds;
        this.quietMinSeconds = quietMinSeconds;
        this.quietMaxSeconds = quietMaxSeconds;
        this.settleSeconds = settleSeconds;
        this.burstEverySeconds = burstEverySeconds;
        this.burstSeconds = burstSeconds;
        this.burstBitrate = burstBitrate;
        this.slopeMinimumSpan = slopeMinimumSpan;
        this.repeats = repeats;
        this.holdMillis = holdMillis;
        this.healWait = healWait;
    }

    public String id() {
        return name().toLowerCase();
    }

    public static Profile of(String id) {
        for (Profile profile : values()) {
            if (profile.id().equals(id)) {
                return profile;
            }
        }
        throw new IllegalArgumentException("unknown profile '" + id + "' (smoke or hour)");
    }
}
