package io.weft.testbed;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** How the kernel tests get a testbed: a fresh one, or the test skipped with the reason this machine cannot. */
final class Testbeds {
    private Testbeds() {
    }

    /** A fresh testbed; skips the calling test, saying why, when not root or iproute2 or CNI plugins are missing. */
    static Testbed createOrSkip() {
        assumeTrue(Testbed.unavailabilityCause().isEmpty(),
            () -> "needs root, iproute2 and the CNI plugins: " + Testbed.unavailabilityCause().orElse(""));
        return Testbed.create();
    }

    /** For an @AfterAll: closes the testbed unless the setup was skipped before creating it. */
    static void closeIfCreated(Testbed testbed) {
        if (testbed != null) {
            testbed.close();
        }
    }
}
