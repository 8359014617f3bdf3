package io.weft.soak.observe;

import java.util.Map;

/**
 * weftd's counters at one time (the series the soak reconciles: drops by reason, leases known, repairs, registry), and
 * the kernel's UDP counters of the node's namespace. Counters start at 0 with each weftd process ({@code pid}).
 */
public record CounterSample(long micros, String node, long pid, Map<String, Long> weftd, Map<String, Long> kernelUdp) {
    public CounterSample {
        weftd = Map.copyOf(weftd);
        kernelUdp = Map.copyOf(kernelUdp);
    }

    public long get(String series) {
        return weftd.getOrDefault(series, 0L);
    }
}
