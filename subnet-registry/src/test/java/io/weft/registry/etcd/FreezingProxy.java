package io.weft.registry.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP relay on loopback in front of a real etcd that can go silent on the watches it carries, as a member cut off
 * by the network does: nothing more passes either way on their connections and nothing is closed. Other connections,
 * and those made later, pass.
 */
final class FreezingProxy implements AutoCloseable {
    private static final Pattern START_REVISION = Pattern.compile("\"start_revision\":\"(\\d+)\"");
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Relay> relays = new CopyOnWriteArrayList<>();

    private final class Relay {
        private final Socket client;
        private final Socket server;
        private volatile boolean frozen;
        private volatile boolean carriedWatch;
        /** etcd answered on this connection after it carried a watch: the watch is set up. */
        private volatile boolean answeredWatch;
        private volatile boolean closed;
        private final StringBuilder sent = new StringBuilder();

        Relay(final Socket client, final Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            pump(client, server, "to");
            pump(server, client, "from");
        }

        private void pump(final Socket from, final Socket to, final String direction) {
            final Thread thread = new Thread(() -> {
                final byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        if (frozen) {
                            continue; // Read and dropped: the sender's writes succeed, nothing arrives.
                        }
                        if (from == client) {
                            final String text = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                            synchronized (sent) {
                                sent.append(text);
                            }
                            carriedWatch |= text.contains("POST /v3/watch");
                        } else {
                            answeredWatch |= carriedWatch;
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (final IOException e) {
                    // The other side closed.
                } finally {
                    if (!frozen) {
                        close();
                    }
                }
            }, "freezing-proxy-" + direction);
            thread.setDaemon(true);
            thread.start();
        }

        void close() {
            closed = true;
            try {
                client.close();
                server.close();
            } catch (final IOException e) {
                // Closing either way.
            }
        }
    }

    FreezingProxy(final String etcdEndpoint) throws IOException {
        final URI uri = URI.create(etcdEndpoint);
        target = new InetSocketAddress(uri.getHost(), uri.getPort());
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(this::accept, "freezing-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /**
     * Every open connection that carried a watch etcd has answered goes silent for good; the others and later ones
     * pass.
     *
     * @return how many went silent.
     */
    int freezeWatches() {
        int frozen = 0;
        for (final Relay relay : relays) {
            if (relay.answeredWatch && !relay.frozen && !relay.closed) {
                relay.frozen = true;
                frozen++;
            }
        }
        return frozen;
    }

    /** The start revision of every watch asked for through the relay, in the order of their connections. */
    List<Long> watchStartRevisions() {
        final List<Long> revisions = new ArrayList<>();
        for (final Relay relay : relays) {
            final String sent;
            synchronized (relay.sent) {
                sent = relay.sent.toString();
            }
            final Matcher start = START_REVISION.matcher(sent);
            while (start.find()) {
                revisions.add(Long.parseLong(start.group(1)));
            }
        }
        return revisions;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (final Relay relay : relays) {
            relay.close();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                final Socket client = listener.accept();
                final Socket server = new Socket(target.getAddress(), target.getPort());
                final Relay relay = new Relay(client, server);
                relays.add(relay);
                relay.start();
            } catch (final IOException e) {
                return; // Closed.
            }
        }
    }
}
