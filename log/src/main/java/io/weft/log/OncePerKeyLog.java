package io.weft.log;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Logs a warning the first time a key shows a given problem, and again only when the problem changes: garbage in
 * etcd is seen on every snapshot and must not flood the log. Remembers a bounded number of keys (oldest forgotten).
 */
public final class OncePerKeyLog {
    private static final int MAX_KEYS = 4096;

    private final Consumer<String> sink;
    private final Map<String, String> lastProblem = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, String> eldest) {
            return size() > MAX_KEYS;
        }
    };

    public OncePerKeyLog() {
        this(Log::warn);
    }

    OncePerKeyLog(final Consumer<String> sink) {
        this.sink = sink;
    }

    /** @return true when the warning was logged, false when this key already reported this problem. */
    public synchronized boolean warn(final String key, final String problem) {
        if (problem.equals(lastProblem.put(key, problem))) {
            return false;
        }
        sink.accept(problem);
        return true;
    }

    /** The key is fine again: a later problem with it is news. */
    public synchronized void clear(final String key) {
        lastProblem.remove(key);
    }
}
