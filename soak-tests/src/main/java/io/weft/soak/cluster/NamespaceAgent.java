package io.weft.soak.cluster;

import io.weft.soak.agent.Peers;
import io.weft.testbed.ManagedProcess;
import io.weft.testbed.ProcReader;
import io.weft.testbed.ProcessSample;
import io.weft.testbed.TestbedException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A pod agent running in a pod namespace: its stdout is a log file the controller tails; its peers, a file. */
final class NamespaceAgent implements Agent {
    private final ClusterPod pod;
    private final ManagedProcess process;
    private final Path controlFile;
    private long offset;

    NamespaceAgent(ClusterPod pod, ManagedProcess process, Path controlFile) {
        this.pod = pod;
        this.process = process;
        this.controlFile = controlFile;
    }

    @Override
    public ClusterPod pod() {
        return pod;
    }

    @Override
    public synchronized List<String> drain() {
        List<String> lines = new ArrayList<>();
        try (RandomAccessFile log = new RandomAccessFile(process.logFile().toFile(), "r")) {
            long length = log.length();
            if (length <= offset) {
                return lines;
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 64L << 20)];
            log.seek(offset);
            log.readFully(bytes);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
            // A record is written whole, so only a line still being written lacks its newline: wait for it.
            offset += end;
            new String(bytes, 0, end, StandardCharsets.UTF_8).lines().forEach(lines::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + process.logFile(), e);
        }
        return lines;
    }

    @Override
    public void setPeers(Peers peers) {
        try {
            peers.writeTo(controlFile);
        } catch (IOException e) {
            throw new TestbedException("cannot write " + controlFile + ": " + e, e);
        }
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public Map<String, Long> udpCounters() {
        return process.isAlive() ? ProcReader.udpCounters(process.pid()) : Map.of();
    }

    @Override
    public long cpuTicks() {
        return process.isAlive() ? ProcReader.sample(process.pid()).map(ProcessSample::cpuTicks).orElse(-1L) : -1;
    }

    @Override
    public void stop() {
        process.stop();
    }
}
