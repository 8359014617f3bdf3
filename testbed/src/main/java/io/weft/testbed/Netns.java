package io.weft.testbed;

import java.time.Duration;
import java.util.List;

/** A network namespace of a {@link Testbed} (the hub, a node or a pod) in which commands run. */
public interface Netns {

    /** The kernel name of the namespace, as {@code ip netns list} shows it. */
    String name();

    /** Runs a command inside the namespace with a 30 s timeout. */
    default ExecResult exec(String... command) {
        return exec(Shell.DEFAULT_TIMEOUT, List.of(command));
    }

    /** Runs a command inside the namespace; on timeout it is killed and a {@link TestbedException} thrown. */
    ExecResult exec(Duration timeout, List<String> command);

    /** Starts a background command in the namespace, logging to {@code <run dir>/<netns minus prefix>-<name>.log}. */
    ManagedProcess start(String name, List<String> command);
}
