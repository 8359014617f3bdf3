package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NetToolTest {

    @Test
    void shouldGenerateTheSameStreamWhenFilledInRandomChunkSizes() {
        byte[] whole = new byte[10_000];
        new PatternStream(99).fill(whole, 0, whole.length);
        Random random = new Random(1);
        for (int round = 0; round < 50; round++) {
            byte[] pieces = new byte[whole.length];
            PatternStream stream = new PatternStream(99);
            int at = 0;
            while (at < pieces.length) {
                int n = Math.min(pieces.length - at, random.nextInt(20));
                stream.fill(pieces, at, n);
                at += n;
            }
            assertThat(pieces).isEqualTo(whole);
        }
        byte[] other = new byte[whole.length];
        new PatternStream(100).fill(other, 0, other.length);
        assertThat(other).isNotEqualTo(whole);
    }

    @Test
    void shouldReportOkWithSha256WhenStreamArrivesIntactOverLoopback() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            CompletableFuture<String> sink = CompletableFuture.supplyAsync(() -> {
                try {
                    return NetTool.tcpSink(server, new PrintStream(log, true, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });

            long sent = NetTool.tcpSource("127.0.0.1", server.getLocalPort(), 1_000_003, 5, 0);

            assertThat(sent).isEqualTo(1_000_003);
            byte[] expected = new byte[1_000_003];
            new PatternStream(5).fill(expected, 0, expected.length);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected));
            assertThat(sink.get(10, TimeUnit.SECONDS)).startsWith("OK bytes=1000003 sha256=" + sha + " maxGapMs=");
            assertThat(log.toString(StandardCharsets.UTF_8)).startsWith("ACCEPTED from=127.0.0.1:");
        }
    }

    @Test
    void shouldReportFirstWrongOffsetWhenOneByteIsFlipped() throws IOException {
        byte[] stream = stream(3, 200_000);
        stream[16 + 123_457] ^= 1;

        assertThat(NetTool.verify(new ByteArrayInputStream(stream))).isEqualTo("MISMATCH at offset 123457");
        assertThat(TcpTransfer.parseBytes("MISMATCH at offset 123457")).isEqualTo(123_457);
    }

    @Test
    void shouldReportShortOrLongWhenLengthDiffers() throws IOException {
        byte[] full = stream(3, 1000);
        byte[] truncated = Arrays.copyOf(full, full.length - 10);
        byte[] extended = Arrays.copyOf(full, full.length + 1);

        assertThat(NetTool.verify(new ByteArrayInputStream(truncated))).isEqualTo("SHORT bytes=990 expected=1000");
        assertThat(NetTool.verify(new ByteArrayInputStream(extended))).isEqualTo("LONG expected=1000");
        assertThat(NetTool.verify(new ByteArrayInputStream(new byte[3]))).startsWith("SHORT bytes=0");
        assertThat(TcpTransfer.parseBytes(NetTool.verify(new ByteArrayInputStream(full)))).isEqualTo(1000);
    }

    @Test
    void shouldCountDatagramsWhenSentOverLoopback() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            CompletableFuture<Long> count = CompletableFuture.supplyAsync(() -> {
                try {
                    return NetTool.udpCount(socket, 1500);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });

            int sent = NetTool.udpSend("127.0.0.1", "127.0.0.1", socket.getLocalPort(), HexFormat.of().parseHex("4500"),
                7);

            assertThat(sent).isEqualTo(7);
            assertThat(count.get(10, TimeUnit.SECONDS)).isEqualTo(7);
        }
    }

    @Test
    void shouldFindStreamedDatagramsIntactAndCountForeignOnesBadWhenSentOverLoopback() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setReceiveBufferSize(4 << 20);
            CompletableFuture<String> report = CompletableFuture.supplyAsync(() -> {
                try {
                    return NetTool.udpCheck(socket, 2000, 100);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });

            NetTool.udpStream("127.0.0.1", socket.getLocalPort(), 100, 500);
            NetTool.udpSend("127.0.0.1", "127.0.0.1", socket.getLocalPort(), new byte[100], 1);

            // The foreign datagram is number 0 with zero bytes where the pattern has others, and arrives last.
            assertThat(report.get(10, TimeUnit.SECONDS)).isEqualTo("count=501 bad=1 reordered=0");
        }
    }

    @Test
    void shouldExitTwoWithUsageWhenArgumentsAreWrong() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

        assertThat(NetTool.run(new String[0], print)).isEqualTo(2);
        assertThat(NetTool.run(new String[] {"tcp-source", "h"}, print)).isEqualTo(2);
        assertThat(NetTool.run(new String[] {"udp-send", "127.0.0.1", "127.0.0.1", "9", "zz"}, print)).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: NetTool tcp-sink PORT");
    }

    @Test
    void shouldPointJavaAtThisClassWhenBuildingCommand() {
        assertThat(NetTool.command("udp-count", "8285", "2")).contains("-cp", NetTool.class.getName(), "udp-count",
            "8285", "2");
    }

    private static byte[] stream(long seed, int length) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(seed);
        out.writeLong(length);
        byte[] payload = new byte[length];
        new PatternStream(seed).fill(payload, 0, length);
        out.write(payload);
        return bytes.toByteArray();
    }
}
