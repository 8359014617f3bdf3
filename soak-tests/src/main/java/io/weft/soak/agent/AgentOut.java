package io.weft.soak.agent;

import java.io.PrintStream;

/**
 * The agent's report: one line per record, {@code TYPE <micros since epoch> fields...}, written whole and flushed so
 * the controller, tailing the file, never reads half a record it cannot wait out.
 */
final class AgentOut {
    private final PrintStream out;
    private final AgentSettings settings;

    AgentOut(PrintStream out, AgentSettings settings) {
        this.out = out;
        this.settings = settings;
    }

    void line(String type, String fields) {
        String text = type + " " + settings.nowMicros() + (fields.isEmpty() ? "" : " " + fields) + "\n";
        synchronized (out) {
            out.print(text);
            out.flush();
        }
    }
}
