package io.weft.bench;

import io.weft.testbed.ProcReader;
import io.weft.testbed.ProcessSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What a packet costs the simplest blocking relay there is, socat relaying UDP on loopback (one thread in C: a wait
 * in select, one receive and one send per packet), fed at a steady rate by a sender that sleeps between packets: the
 * floor under any userspace dataplane whose threads block when idle, weftd's lanes included, on this machine, where
 * a wake-up may be a halted vCPU's. The sender and the receiver are this JVM's; only socat's CPU is counted.
 */
final class BlockingRelayFloor {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int PAYLOAD_BYTES = 64;
    private static final Duration RELAY_START = Duration.ofSeconds(10);

    private BlockingRelayFloor() {
    }

    /** Why it cannot run here (no socat), if it cannot. */
    static Optional<String> unavailabilityCause() {
        return EndToEndBench.onPath("socat") ? Optional.empty()
            : Optional.of("no socat on the PATH (Debian: apt-get install socat)");
    }

    /** Relays {@code packetsPerSecond} 64-byte datagrams for {@code seconds}: what socat spent, in all and each. */
    static Map<String, Object> measure(int packetsPerSecond, int seconds) {
        try (DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
             DatagramChannel sender = DatagramChannel.open()) {
            int relayPort = freePort();
            int receiverPort = ((InetSocketAddress)receiver.getLocalAddress()).getPort();
            Process relay = new ProcessBuilder("socat", "-u", "UDP4-RECV:" + relayPort + ",bind=127.0.0.1",
                "UDP4-SENDTO:127.0.0.1:" + receiverPort).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                AtomicLong relayed = new AtomicLong();
                Thread counter = new Thread(() -> count(receiver, relayed), "relay-floor-receiver");
                counter.setDaemon(true);
                counter.start();
                awaitRelaying(relay, sender, new InetSocketAddress(LOOPBACK, relayPort), relayed);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a probe still in flight is not counted
                long ticksBefore = ticks(relay.pid());
                long relayedBefore = relayed.get();
                long start = System.nanoTime();
                long sent = send(sender, new InetSocketAddress(LOOPBACK, relayPort), packetsPerSecond, seconds);
                // The last datagrams in flight: a relay this slow is not what is measured.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                double elapsed = (System.nanoTime() - start) / 1e9;
                long ticks = ticks(relay.pid()) - ticksBefore;
                long packets = relayed.get() - relayedBefore;
                double cpuSeconds = (double)ticks / ProcCpu.clockTicksPerSecond();
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("relay", "socat -u UDP4-RECV UDP4-SENDTO, loopback");
                figures.put("packetsPerSecond", packetsPerSecond);
                figures.put("sent", sent);
                figures.put("relayed", packets);
                figures.put("relayPercentOfOneCore", 100 * cpuSeconds / elapsed);
                figures.put("relayMicrosecondsPerPacket", packets == 0 ? null : cpuSeconds * 1e6 / packets);
                return figures;
            } finally {
                relay.destroy();
                if (!relay.waitFor(5, TimeUnit.SECONDS)) {
                    relay.destroyForcibly().waitFor();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the relay floor could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Sends a datagram every 10 ms until one comes through the relay: socat is then bound and relaying. */
    private static void awaitRelaying(Process relay, DatagramChannel sender, InetSocketAddress to, AtomicLong relayed)
        throws IOException {
        long deadline = System.nanoTime() + RELAY_START.toNanos();
        while (relayed.get() == 0) {
            if (!relay.isAlive()) {
                throw new IllegalStateException("socat ended at once, exit code " + relay.exitValue());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("socat relayed nothing within " + RELAY_START);
            }
            sender.send(ByteBuffer.allocate(PAYLOAD_BYTES), to);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static long send(DatagramChannel sender, InetSocketAddress to, int packetsPerSecond, int seconds)
        throws IOException {
        ByteBuffer payload = ByteBuffer.allocate(PAYLOAD_BYTES);
        long interval = TimeUnit.SECONDS.toNanos(1) / packetsPerSecond;
        long start = System.nanoTime();
        long total = (long)packetsPerSecond * seconds;
        for (long i = 0; i < total; i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            payload.clear();
            sender.send(payload, to);
        }
        return total;
    }

    private static void count(DatagramChannel receiver, AtomicLong relayed) {
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        try {
            while (true) {
                buffer.clear();
                receiver.receive(buffer);
                relayed.incrementAndGet();
            }
        } catch (ClosedChannelException e) {
            // measured
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
            return ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
    }

    private static long ticks(long pid) {
        return ProcReader.sample(pid).map(ProcessSample::cpuTicks)
            .orElseThrow(() -> new IllegalStateException("socat (pid " + pid + ") is gone"));
    }
}
