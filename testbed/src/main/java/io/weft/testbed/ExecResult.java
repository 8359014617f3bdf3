package io.weft.testbed;

import java.util.List;

/** The outcome of one finished command: its exit code and everything it printed. */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr) {

    public ExecResult {
        command = List.copyOf(command);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result when the command exited 0, else throws with the command and its output. */
    public ExecResult orThrow() {
        if (!ok()) {
            throw new TestbedException(describe());
        }
        return this;
    }

    String describe() {
        return "command failed (exit " + exitCode + "): " + String.join(" ", command)
            + Shell.section("stdout", stdout) + Shell.section("stderr", stderr);
    }
}
