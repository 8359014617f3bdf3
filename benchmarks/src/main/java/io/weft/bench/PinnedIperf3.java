package io.weft.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.testbed.ExecResult;
import io.weft.testbed.Iperf3Result;
import io.weft.testbed.ManagedProcess;
import io.weft.testbed.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * iperf3 from pod 1 to pod 2 with each side pinned to its node's CPU (testbed's {@code Iperf3} starts them unpinned).
 * Returns testbed's parsed summary plus the counts it leaves out: bytes received, datagrams sent.
 */
final class PinnedIperf3 {
    static final int PORT = 5201;
    private static final Duration SERVER_READY_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SERVER_EXIT_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The summary, the bytes the receiver counted, (UDP) the datagrams the client sent, and (TCP) the congestion
     * control each side's socket used, as iperf3 read it back from the kernel; empty for UDP.
     */
    record Outcome(Iperf3Result result, long receivedBytes, long sentPackets, double sentSeconds,
                   String senderCongestion, String receiverCongestion) {

        /** Throws unless both sides' sockets used {@code algorithm}: a result must not claim what it did not run. */
        Outcome requireCongestionControl(String algorithm) {
            if (!algorithm.equals(senderCongestion) || !algorithm.equals(receiverCongestion)) {
                throw new IllegalStateException("iperf3 ran TCP with congestion control '" + senderCongestion
                    + "' (sender) and '" + receiverCongestion + "' (receiver), not '" + algorithm + "'");
            }
            return this;
        }
    }

    private PinnedIperf3() {
    }

    static Outcome tcp(Pod server, Pod client, int seconds, int streams, Pinning pinning) {
        return run(server, client, pinning, List.of("-t", Integer.toString(seconds), "-P", Integer.toString(streams)),
            seconds);
    }

    /** UDP with {@code -b bitrate} ("0" = as fast as the client can send) and {@code -l datagramBytes}. */
    static Outcome udp(Pod server, Pod client, int seconds, String bitrate, int datagramBytes, Pinning pinning) {
        return run(server, client, pinning, List.of("-t", Integer.toString(seconds), "-u", "-b", bitrate,
            "-l", Integer.toString(datagramBytes)), seconds);
    }

    private static Outcome run(Pod server, Pod client, Pinning pinning, List<String> clientArgs, int seconds) {
        ManagedProcess serverProcess = server.start("iperf3-server", pinning.wrap(2,
            List.of("iperf3", "-s", "-1", "-p", Integer.toString(PORT), "--forceflush")));
        try {
            serverProcess.awaitLogLine(line -> line.contains("Server listening"), SERVER_READY_TIMEOUT);
            List<String> command = new ArrayList<>(List.of("iperf3", "-c", server.ip(), "-p", Integer.toString(PORT),
                "-J"));
            command.addAll(clientArgs);
            ExecResult result = client.exec(Duration.ofSeconds(seconds + 30L), pinning.wrap(1, command));
            try {
                Iperf3Result summary = Iperf3Result.parse(result.stdout());
                JsonNode end = JSON.readTree(result.stdout()).path("end");
                JsonNode received = end.has("sum_received") ? end.get("sum_received") : end.path("sum");
                return new Outcome(summary, received.path("bytes").asLong(),
                    end.path("sum_sent").path("packets").asLong(), end.path("sum_sent").path("seconds").asDouble(),
                    end.path("sender_tcp_congestion").asText(""), end.path("receiver_tcp_congestion").asText(""));
            } catch (IllegalArgumentException | JsonProcessingException e) {
                throw new IllegalStateException("iperf3 " + String.join(" ", clientArgs) + " from " + client + " to "
                    + server + ": " + e.getMessage() + "\n--- client stderr ---\n" + result.stderr()
                    + "\n--- server log ---\n" + serverProcess.logText(), e);
            }
        } finally {
            if (!serverProcess.waitFor(SERVER_EXIT_TIMEOUT)) {
                serverProcess.stop();
            }
        }
    }
}
