package io.weft.testbed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * A TCP relay from an address in a namespace of the testbed (the hub) to a server of the test JVM's namespace (an
 * API server on loopback), so that weftd in the node namespaces reaches it. The listening socket is made by a
 * thread that entered the hub's namespace (setns moves only the calling thread, and a socket stays in the namespace
 * it was made in); every connection to the server is made by a thread that never left the test's namespace. Bytes
 * are copied both ways until either side closes, so a server stopped under a connection closes it on the other side.
 */
final class NetnsTcpRelay implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

    /** open(2), setns(2), close(2); public because jnr-ffi requires it. */
    public interface LibC {
        @SaveError
        int open(String path, int flags);

        @SaveError
        int setns(int fd, int nstype);

        int close(int fd);
    }

    private final ServerSocketChannel listener;
    private final InetSocketAddress target;
    private final BlockingQueue<SocketChannel> accepted = new LinkedBlockingQueue<>();
    private final Thread acceptor;
    private final Thread connector;
    private volatile boolean closed;

    private NetnsTcpRelay(ServerSocketChannel listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
        this.acceptor = new Thread(this::acceptLoop, "relay-accept");
        this.connector = new Thread(this::connectLoop, "relay-connect");
    }

    /** Listens on {@code listen} inside namespace {@code netns} and relays each connection to {@code target}. */
    static NetnsTcpRelay start(String netns, InetSocketAddress listen, InetSocketAddress target) {
        CompletableFuture<ServerSocketChannel> bound = new CompletableFuture<>();
        Thread binder = new Thread(() -> {
            int fd = LIBC.open("/run/netns/" + netns, 0);
            try {
                if (fd < 0 || LIBC.setns(fd, CLONE_NEWNET) != 0) {
                    throw new TestbedException("cannot enter namespace " + netns);
                }
                ServerSocketChannel channel = ServerSocketChannel.open();
                channel.bind(listen);
                bound.complete(channel);
            } catch (IOException | RuntimeException e) {
                bound.completeExceptionally(e);
            } finally {
                if (fd >= 0) {
                    LIBC.close(fd);
                }
            }
        }, "relay-bind-" + netns);
        binder.start();
        try {
            NetnsTcpRelay relay = new NetnsTcpRelay(bound.get(10, TimeUnit.SECONDS), target);
            relay.acceptor.setDaemon(true);
            relay.connector.setDaemon(true);
            relay.acceptor.start();
            relay.connector.start();
            return relay;
        } catch (Exception e) {
            throw new TestbedException("cannot listen on " + listen + " in " + netns + ": " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        connector.interrupt();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                accepted.add(listener.accept());
            } catch (IOException e) {
                return;
            }
        }
    }

    /** In the test's namespace: connects each accepted client to the target and starts the two copies. */
    private void connectLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = accepted.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                SocketChannel server = SocketChannel.open(target);
                copy(client, server);
                copy(server, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private static void copy(SocketChannel from, SocketChannel to) {
        Thread thread = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
            } catch (IOException e) {
                // one side went away: close both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-copy");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
