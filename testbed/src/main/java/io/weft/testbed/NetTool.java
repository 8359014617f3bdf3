package io.weft.testbed;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Small traffic tools run inside pods ({@code ip netns exec <pod> java -cp ... io.weft.testbed.NetTool ...}): a TCP
 * source and a byte-for-byte verifying sink, a UDP datagram counter, and a UDP injector for crafted datagrams.
 * Only JDK classes: the class path needs nothing but this class's own jar or directory.
 */
public final class NetTool {
    static final int HEADER_BYTES = 2 * Long.BYTES;
    static final int ACCEPT_TIMEOUT_MS = 60_000;
    static final int READ_TIMEOUT_MS = 30_000;
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final int UDP_CHECK_BUFFER_BYTES = 4 << 20;
    private static final String USAGE = String.join("\n",
        "usage: NetTool tcp-sink PORT",
        "       NetTool tcp-source HOST PORT BYTES SEED [BYTES_PER_SECOND]",
        "       NetTool udp-count PORT SECONDS",
        "       NetTool udp-send SRC_BIND_IP[:PORT] DST_IP DST_PORT HEX_PAYLOAD [COUNT]",
        "       NetTool udp-stream DST_IP DST_PORT LENGTH COUNT [PER_SECOND]",
        "       NetTool udp-check PORT SECONDS LENGTH");

    private NetTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** {@code java -cp <this class's location> io.weft.testbed.NetTool <args>}, for use inside a namespace. */
    public static List<String> command(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-cp", classPath(),
            NetTool.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    static int run(String[] args, PrintStream out) {
        try {
            String tool = args.length == 0 ? "" : args[0];
            switch (tool) {
                case "tcp-sink" -> {
                    expect(args, 2, 2);
                    try (ServerSocket server = new ServerSocket()) {
                        server.bind(new InetSocketAddress(Integer.parseInt(args[1])));
                        out.println("LISTENING port=" + server.getLocalPort());
                        out.flush();
                        String report = tcpSink(server, out);
                        out.println(report);
                        return report.startsWith("OK ") ? 0 : 1;
                    }
                }
                case "tcp-source" -> {
                    expect(args, 5, 6);
                    long sent = tcpSource(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]),
                        Long.parseLong(args[4]), args.length == 6 ? Long.parseLong(args[5]) : 0);
                    out.println("sent=" + sent);
                    return 0;
                }
                case "udp-count" -> {
                    expect(args, 3, 3);
                    try (DatagramSocket socket = new DatagramSocket(Integer.parseInt(args[1]))) {
                        out.println("LISTENING port=" + socket.getLocalPort());
                        out.flush();
                        out.println("count=" + udpCount(socket, Long.parseLong(args[2]) * 1000));
                        return 0;
                    }
                }
                case "udp-send" -> {
                    expect(args, 5, 6);
                    int count = args.length == 6 ? Integer.parseInt(args[5]) : 1;
                    out.println("sent=" + udpSend(args[1], args[2], Integer.parseInt(args[3]),
                        HexFormat.of().parseHex(args[4]), count));
                    return 0;
                }
                case "udp-stream" -> {
                    expect(args, 5, 6);
                    int length = Integer.parseInt(args[3]);
                    int count = Integer.parseInt(args[4]);
                    out.println("sent=" + (args.length == 6
                        ? udpStreamPaced(args[1], Integer.parseInt(args[2]), length, count, Integer.parseInt(args[5]))
                        : udpStream(args[1], Integer.parseInt(args[2]), length, count)));
                    return 0;
                }
                case "udp-check" -> {
                    expect(args, 4, 4);
                    try (DatagramSocket socket = new DatagramSocket(Integer.parseInt(args[1]))) {
                        socket.setReceiveBufferSize(UDP_CHECK_BUFFER_BYTES);
                        out.println("LISTENING port=" + socket.getLocalPort());
                        out.flush();
                        out.println(udpCheck(socket, Long.parseLong(args[2]) * 1000, Integer.parseInt(args[3])));
                        return 0;
                    }
                }
                default -> {
                    out.println(USAGE);
                    return 2;
                }
            }
        } catch (IllegalArgumentException e) {
            out.println("ERROR " + e.getMessage());
            out.println(USAGE);
            return 2;
        } catch (IOException e) {
            out.println("ERROR " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("ERROR interrupted");
            return 1;
        } finally {
            out.flush();
        }
    }

    /**
     * Accepts one connection and checks it: 8-byte seed, 8-byte length, then exactly that many bytes of the seed's
     * {@link PatternStream}. Returns {@code OK bytes=N sha256=HEX maxGapMs=G} (G: the longest time between two reads
     * that returned data, once the first did), {@code MISMATCH at offset N}, {@code SHORT bytes=N expected=M} or
     * {@code LONG expected=M}.
     */
    static String tcpSink(ServerSocket server, PrintStream out) throws IOException {
        server.setSoTimeout(ACCEPT_TIMEOUT_MS);
        try (Socket socket = server.accept()) {
            out.println("ACCEPTED from=" + socket.getInetAddress().getHostAddress() + ":" + socket.getPort());
            out.flush();
            socket.setSoTimeout(READ_TIMEOUT_MS);
            return verify(socket.getInputStream());
        }
    }

    static String verify(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        long seed;
        long length;
        try {
            seed = in.readLong();
            length = in.readLong();
        } catch (EOFException e) {
            return "SHORT bytes=0 expected=header";
        }
        PatternStream expected = new PatternStream(seed);
        MessageDigest sha256 = sha256();
        byte[] data = new byte[CHUNK_BYTES];
        byte[] want = new byte[CHUNK_BYTES];
        long received = 0;
        long lastReadNs = System.nanoTime();
        long firstReadNs = lastReadNs;
        long maxGapNs = 0;
        long maxGapAtNs = 0;
        while (received < length) {
            int n = in.read(data, 0, (int) Math.min(CHUNK_BYTES, length - received));
            if (n < 0) {
                return "SHORT bytes=" + received + " expected=" + length;
            }
            long nowNs = System.nanoTime();
            if (nowNs - lastReadNs > maxGapNs) {
                maxGapNs = nowNs - lastReadNs;
                maxGapAtNs = nowNs - firstReadNs;
            }
            lastReadNs = nowNs;
            expected.fill(want, 0, n);
            int mismatch = Arrays.mismatch(data, 0, n, want, 0, n);
            if (mismatch >= 0) {
                return "MISMATCH at offset " + (received + mismatch);
            }
            sha256.update(data, 0, n);
            received += n;
        }
        if (in.read() >= 0) {
            return "LONG expected=" + length;
        }
        return "OK bytes=" + received + " sha256=" + HexFormat.of().formatHex(sha256.digest()) + " maxGapMs="
            + maxGapNs / 1_000_000 + " maxGapEndedAtMs=" + maxGapAtNs / 1_000_000;
    }

    /**
     * Connects and sends the header and {@code bytes} of the seed's stream, at {@code bytesPerSecond} (0: as fast as
     * it goes, else in small writes each millisecond); returns the payload bytes sent.
     */
    static long tcpSource(String host, int port, long bytes, long seed, long bytesPerSecond) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
            OutputStream raw = new BufferedOutputStream(socket.getOutputStream(), CHUNK_BYTES);
            DataOutputStream out = new DataOutputStream(raw);
            out.writeLong(seed);
            out.writeLong(bytes);
            PatternStream stream = new PatternStream(seed);
            byte[] chunk = new byte[CHUNK_BYTES];
            long sent = 0;
            long startNs = System.nanoTime();
            int step = bytesPerSecond == 0 ? CHUNK_BYTES
                : (int) Math.max(1, Math.min(CHUNK_BYTES, bytesPerSecond / 1000));
            while (sent < bytes) {
                int n = (int) Math.min(step, bytes - sent);
                stream.fill(chunk, 0, n);
                out.write(chunk, 0, n);
                sent += n;
                if (bytesPerSecond > 0) {
                    out.flush();
                    pace(startNs, sent * 1_000_000_000L / bytesPerSecond);
                }
            }
            out.flush();
            socket.shutdownOutput();
            // Wait for the sink to close: it has then read (and judged) everything.
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.getInputStream().read();
            return sent;
        }
    }

    /** Counts datagrams arriving for {@code durationMs}. */
    static long udpCount(DatagramSocket socket, long durationMs) throws IOException {
        byte[] buffer = new byte[65_536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        long deadline = System.nanoTime() + durationMs * 1_000_000;
        long count = 0;
        while (true) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                return count;
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(leftMs, Integer.MAX_VALUE)));
            try {
                socket.receive(packet);
                count++;
            } catch (SocketTimeoutException e) {
                // Deadline check at the top of the loop.
            }
        }
    }

    /**
     * Sends {@code count} datagrams of {@code length} bytes (at least 8): datagram n is n as 8 bytes, then bytes
     * {@code (byte)(n * 31 + i)}. Bursts of 64, then a millisecond's pause, so a receiving JVM keeps up.
     */
    static int udpStream(String dstIp, int dstPort, int length, int count) throws IOException, InterruptedException {
        try (DatagramSocket socket = new DatagramSocket()) {
            byte[] payload = new byte[length];
            DatagramPacket packet = new DatagramPacket(payload, length,
                new InetSocketAddress(InetAddress.getByName(dstIp), dstPort));
            for (int n = 0; n < count; n++) {
                streamDatagram(payload, n);
                socket.send(packet);
                if (n % 64 == 63) {
                    Thread.sleep(1);
                }
            }
            return count;
        }
    }

    /**
     * As {@link #udpStream}, but datagram n leaves at n / {@code perSecond} seconds after the first: a steady probe
     * whose losses count the milliseconds a path was cut.
     */
    static int udpStreamPaced(String dstIp, int dstPort, int length, int count, int perSecond) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            byte[] payload = new byte[length];
            DatagramPacket packet = new DatagramPacket(payload, length,
                new InetSocketAddress(InetAddress.getByName(dstIp), dstPort));
            long startNs = System.nanoTime();
            for (int n = 0; n < count; n++) {
                pace(startNs, n * 1_000_000_000L / perSecond);
                streamDatagram(payload, n);
                socket.send(packet);
            }
            return count;
        }
    }

    /** Waits until {@code offsetNs} after {@code startNs}. */
    private static void pace(long startNs, long offsetNs) {
        long waitNs;
        while ((waitNs = startNs + offsetNs - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(waitNs);
        }
    }

    /**
     * Receives {@link #udpStream} datagrams for {@code durationMs}: {@code count=N bad=B reordered=R}, bad being
     * datagrams of another length or content, reordered those whose number is not above the previous one's.
     */
    static String udpCheck(DatagramSocket socket, long durationMs, int length) throws IOException {
        byte[] buffer = new byte[65_536];
        byte[] expected = new byte[length];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        long deadline = System.nanoTime() + durationMs * 1_000_000;
        long count = 0;
        long bad = 0;
        long reordered = 0;
        long previous = -1;
        while (true) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                return "count=" + count + " bad=" + bad + " reordered=" + reordered;
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(leftMs, Integer.MAX_VALUE)));
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                continue; // deadline check at the top of the loop
            }
            count++;
            long n = packet.getLength() >= Long.BYTES ? ByteBuffer.wrap(buffer).getLong(0) : -1;
            if (n >= 0) {
                streamDatagram(expected, n);
            }
            if (n < 0 || packet.getLength() != length || !Arrays.equals(buffer, 0, length, expected, 0, length)) {
                bad++;
                continue;
            }
            if (n <= previous) {
                reordered++;
            }
            previous = n;
        }
    }

    private static void streamDatagram(byte[] payload, long n) {
        ByteBuffer.wrap(payload).putLong(0, n);
        for (int i = Long.BYTES; i < payload.length; i++) {
            payload[i] = (byte) (n * 31 + i);
        }
    }

    /** Sends {@code payload} as one datagram {@code count} times from {@code srcBind} (IP or IP:PORT). */
    static int udpSend(String srcBind, String dstIp, int dstPort, byte[] payload, int count) throws IOException {
        int colon = srcBind.lastIndexOf(':');
        String srcIp = colon < 0 ? srcBind : srcBind.substring(0, colon);
        int srcPort = colon < 0 ? 0 : Integer.parseInt(srcBind.substring(colon + 1));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(srcIp), srcPort))) {
            DatagramPacket packet = new DatagramPacket(payload, payload.length,
                new InetSocketAddress(InetAddress.getByName(dstIp), dstPort));
            for (int i = 0; i < count; i++) {
                socket.send(packet);
            }
            return count;
        }
    }

    private static void expect(String[] args, int min, int max) {
        if (args.length < min || args.length > max) {
            throw new IllegalArgumentException(args[0] + ": wrong number of arguments");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String classPath() {
        CodeSource source = NetTool.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return System.getProperty("java.class.path");
        }
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            return System.getProperty("java.class.path");
        }
    }
}
