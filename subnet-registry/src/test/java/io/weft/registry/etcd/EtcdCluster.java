package io.weft.registry.etcd;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway etcd cluster of several members on 127.0.0.1, each an {@link EtcdServer}, so that a test can lose one
 * member (the cluster survives) or all of them. Members are started together: one of several serves clients only once
 * a quorum runs.
 */
final class EtcdCluster implements AutoCloseable {
    private final List<EtcdServer> members;

    private EtcdCluster(final List<EtcdServer> members) {
        this.members = members;
    }

    /** Starts {@code size} members with free ports, their data directories under {@code dataRoot}. */
    static EtcdCluster startOnLoopback(final Path dataRoot, final int size) throws IOException {
        final List<Integer> clientPorts = new ArrayList<>();
        final List<Integer> peerPorts = new ArrayList<>();
        final List<String> initial = new ArrayList<>();
        final int[] ports = EtcdServer.freePorts(2 * size);
        for (int i = 0; i < size; i++) {
            clientPorts.add(ports[2 * i]);
            peerPorts.add(ports[2 * i + 1]);
            initial.add("m" + i + "=http://127.0.0.1:" + peerPorts.get(i));
        }
        final List<EtcdServer> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(EtcdServer.member("m" + i, "127.0.0.1", clientPorts.get(i), peerPorts.get(i),
                String.join(",", initial), dataRoot.resolve("m" + i), null));
        }
        final EtcdCluster cluster = new EtcdCluster(List.copyOf(members));
        try {
            cluster.startAll();
        } catch (final IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Every member's client URL, in member order. */
    List<String> endpoints() {
        return members.stream().map(EtcdServer::endpoint).toList();
    }

    EtcdServer member(final int index) {
        return members.get(index);
    }

    /** SIGKILLs every member, as a power cut of the whole cluster. */
    void killAll() {
        members.forEach(EtcdServer::kill);
    }

    /** Starts every member that does not run (after {@link #killAll()}), and waits until all serve clients. */
    void startAll() throws IOException {
        for (final EtcdServer member : members) {
            if (!member.isRunning()) {
                member.spawn();
            }
        }
        for (final EtcdServer member : members) {
            member.awaitReady();
        }
    }

    /** Stops every member and deletes its data. */
    @Override
    public void close() {
        members.forEach(EtcdServer::close);
    }
}
