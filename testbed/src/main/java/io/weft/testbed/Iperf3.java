package io.weft.testbed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs an iperf3 test between two namespaces: a one-shot server ({@code -s -1}) and a JSON-reporting client. The server
 * runs with {@code --forceflush}: its stdout is a log file, and without it "Server listening" sits in a stdio buffer.
 */
public final class Iperf3 {
    public static final int DEFAULT_PORT = 5201;
    private static final Duration SERVER_READY_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SERVER_EXIT_TIMEOUT = Duration.ofSeconds(5);

    private Iperf3() {
    }

    public static boolean isAvailable() {
        return Shell.onPath("iperf3");
    }

    /** TCP: {@code -t seconds -P streams} from client to server. */
    public static Iperf3Result tcp(Pod server, Pod client, int seconds, int streams) {
        return run(server, server.ip(), client, DEFAULT_PORT, List.of("-t", Integer.toString(seconds),
            "-P", Integer.toString(streams)));
    }

    /** UDP: {@code -u -b bitrate -l datagramBytes}; bitrate in iperf3's syntax, e.g. "100M" or "0" for unlimited. */
    public static Iperf3Result udp(Pod server, Pod client, int seconds, String bitrate, int datagramBytes) {
        return run(server, server.ip(), client, DEFAULT_PORT, List.of("-t", Integer.toString(seconds), "-u",
            "-b", bitrate, "-l", Integer.toString(datagramBytes)));
    }

    /**
     * Starts {@code iperf3 -s -1 -p port} in {@code server}, waits until it listens, runs {@code iperf3 -c serverIp -p
     * port -J <clientArgs>} in {@code client} and parses its JSON. {@code clientArgs} must include {@code -t}.
     */
    public static Iperf3Result run(Netns server, String serverIp, Netns client, int port, List<String> clientArgs) {
        ManagedProcess serverProcess = server.start("iperf3-server-" + port,
            List.of("iperf3", "-s", "-1", "-p", Integer.toString(port), "--forceflush"));
        try {
            serverProcess.awaitLogLine(line -> line.contains("Server listening"), SERVER_READY_TIMEOUT);
            List<String> command = new ArrayList<>(List.of("iperf3", "-c", serverIp, "-p", Integer.toString(port),
                "-J"));
            command.addAll(clientArgs);
            ExecResult result = client.exec(Duration.ofSeconds(durationSeconds(clientArgs) + 20), command);
            try {
                return Iperf3Result.parse(result.stdout());
            } catch (IllegalArgumentException e) {
                throw new TestbedException("iperf3 from " + client.name() + " to " + serverIp + ":" + port + ": "
                    + e.getMessage() + Shell.section("client stderr", result.stderr())
                    + Shell.section("server log", serverProcess.logText()), e);
            }
        } finally {
            if (!serverProcess.waitFor(SERVER_EXIT_TIMEOUT)) {
                serverProcess.stop();
            }
        }
    }

    private static long durationSeconds(List<String> clientArgs) {
        int index = clientArgs.indexOf("-t");
        if (index < 0 || index + 1 >= clientArgs.size()) {
            throw new IllegalArgumentException("iperf3 client arguments need -t SECONDS: " + clientArgs);
        }
        return Long.parseLong(clientArgs.get(index + 1));
    }
}
