package io.weft.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The order of the faults: every kind once per cycle, shuffled by the run's seeded random. */
final class FaultPlan {
    private FaultPlan() {
    }

    /** {@code cycles} shuffled rounds of every fault kind. */
    static List<FaultKind> order(Random random, int cycles) {
        List<FaultKind> order = new ArrayList<>();
        for (int cycle = 0; cycle < cycles; cycle++) {
            List<FaultKind> round = new ArrayList<>(Arrays.asList(FaultKind.values()));
            Collections.shuffle(round, random);
            order.addAll(round);
        }
        return order;
    }
}
