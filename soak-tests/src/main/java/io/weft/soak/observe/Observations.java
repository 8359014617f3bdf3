package io.weft.soak.observe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything a soak observed besides the probes: samples, audit, exits, bursts, crafted-datagram counts. */
public final class Observations {
    public final ProbeLedger ledger;
    public final SubnetAudit audit = new SubnetAudit();
    public final List<ResourceSample> resources = Collections.synchronizedList(new ArrayList<>());
    public final List<CounterSample> counters = Collections.synchronizedList(new ArrayList<>());
    public final List<WeftdExit> exits = Collections.synchronizedList(new ArrayList<>());
    public final List<BurstRecord> bursts = Collections.synchronizedList(new ArrayList<>());
    public final List<CraftedCheck> crafted = Collections.synchronizedList(new ArrayList<>());
    public final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    public final List<MachineStall> machineStalls = Collections.synchronizedList(new ArrayList<>());
    /** Each pod's kernel UDP counters when last read. */
    public final Map<String, Map<String, Long>> podUdp = Collections.synchronizedMap(new LinkedHashMap<>());

    public Observations(ProbeLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * For one node and drop reason: crafted datagrams that weftd must count there, and how many it counted; not
     * {@code exact} where random datagrams, whose reason is theirs to pick, may add to the count.
     */
    public record CraftedCheck(int fault, String node, String reason, long expected, long counted, boolean exact) {
    }
}
