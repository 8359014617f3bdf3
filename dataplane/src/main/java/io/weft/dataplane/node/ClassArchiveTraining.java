package io.weft.dataplane.node;

import io.weft.auth.Gcrypt;
import io.weft.auth.NodeKey;
import io.weft.auth.TrafficKey;
import io.weft.registry.LeaseRegistry;
import io.weft.routing.Ipv4Addresses;
import io.weft.tun.Epoll;
import io.weft.tun.EventFd;
import io.weft.tun.UdpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The training run of weftd's class archive ({@code weftd.jsa}, docs/footprint.md): loads what a start loads, with
 * no root, etcd or network of its own, so that the build and the image can make the archive where weftd runs:
 * <pre>
 * java -XX:DumpLoadedClassList=list -cp /abs/path/weftd.jar io.weft.dataplane.node.ClassArchiveTraining
 * java -Xshare:dump -XX:SharedClassListFile=list -XX:SharedArchiveFile=weftd.jsa -cp /abs/path/weftd.jar
 * </pre>
 * A start then maps those classes instead of reading, parsing and verifying them one by one, which is most of the
 * time from {@code java} to forwarding. Classes this run misses are loaded as usual.
 */
public final class ClassArchiveTraining {
    static final String CLASS_LIST = "weftd.classlist";
    private static final String KUBE_MODE = "io/weft/registry/kube/";
    /** Long enough for a few of etcd's client's retries against a port nobody listens on. */
    private static final long ETCD_WAIT_MS = 2_000;
    private static final int METRICS_WAIT_MS = 2_000;

    private ClassArchiveTraining() {
    }

    public static void main(final String[] args) throws Exception {
        System.out.println("class archive training: loading what a start loads; etcd's client tries 127.0.0.1:1,"
            + " where nothing listens, so the warnings about etcd below are expected");
        step("weft's classes", ClassArchiveTraining::loadWeftsOwnClasses);
        step(CLASS_LIST, ClassArchiveTraining::loadTheClassesAStartLoaded);
        step("etcd's client", () -> waitForAnEtcdThatIsNotThere(WeftdConfig.parse(
            new String[] {"--etcd-endpoints", "http://127.0.0.1:1"}, Map.of())));
        step("the flags' help", WeftdConfig::usage);
        step("/metrics over HTTP", ClassArchiveTraining::serveAndFetchMetrics);
        step("epoll and a UDP socket", ClassArchiveTraining::openDescriptorsAsTheLanesDo);
        step("a node key and traffic keys", ClassArchiveTraining::agreeOnTrafficKeys);
        System.out.println("class archive training done");
        System.exit(0); // whatever threads the etcd client left
    }

    /**
     * What authentication, the default with etcd, does at start and per peer, which the list made without a
     * reachable etcd never met: X25519 (the JDK's one by one; in bulk libcrypto's binding, or the JDK's without it),
     * HKDF, libgcrypt's binding.
     */
    private static void agreeOnTrafficKeys() {
        final NodeKey ours = NodeKey.generate();
        final NodeKey peer = NodeKey.generate();
        TrafficKey.derive(ours.sharedSecret(peer.publicKey()), ours.publicKey(), peer.publicKey(), 1, 2);
        ours.sharedSecretInBulk(peer.publicKey());
        Gcrypt.isAvailable();
    }

    /** One step, best effort: the archive only makes starts faster, so a step that cannot run here is skipped. */
    private static void step(final String what, final Step step) {
        try {
            step.run();
        } catch (final Exception | LinkageError e) {
            System.out.println("class archive training: skipped " + what + ": " + e);
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /**
     * weft's own classes, without running their static initializers: a start needs nearly all of them. Not the kube
     * mode's ({@value #KUBE_MODE}): linking them pulls in fabric8's Jackson, hundreds of classes an etcd start never
     * loads, and every archived class is resident in every weftd (docs/footprint.md, "The archive without the kube
     * mode's classes").
     */
    private static void loadWeftsOwnClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        final Path jar = Path.of(ClassArchiveTraining.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI());
        if (!Files.isRegularFile(jar)) {
            return; // run from classes on disk (a test): nothing to archive
        }
        final ClassLoader loader = ClassArchiveTraining.class.getClassLoader();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (final Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                final String name = entries.nextElement().getName();
                if (isArchivedOwnClass(name)) {
                    try {
                        Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'),
                            false, loader);
                    } catch (final LinkageError e) {
                        System.out.println("class archive training: skipped " + name + ": " + e);
                    }
                }
            }
        }
    }

    /** Whether the jar entry {@code name} is one of weft's own classes that the archive holds. */
    private static boolean isArchivedOwnClass(final String name) {
        return name.startsWith("io/weft/") && !name.startsWith(KUBE_MODE) && name.endsWith(".class")
            && !name.contains("-");
    }

    /**
     * The classes a real start loaded, the JDK's too ({@value #CLASS_LIST}, refreshed as docs/footprint.md says): many
     * of them belong to the answers of an etcd this run cannot reach. Names that no
     * longer exist are skipped; a class missing from the list is loaded as usual when weftd needs it.
     */
    private static void loadTheClassesAStartLoaded() throws IOException {
        final ClassLoader loader = ClassArchiveTraining.class.getClassLoader();
        int loaded = 0;
        try (InputStream list = ClassArchiveTraining.class.getResourceAsStream(CLASS_LIST)) {
            if (list == null) {
                throw new IOException("no " + CLASS_LIST + " beside " + ClassArchiveTraining.class.getName());
            }
            for (final String name : new String(list.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                try {
                    Class.forName(name.strip(), false, loader);
                    loaded++;
                } catch (final ClassNotFoundException | LinkageError e) {
                    // Gone since the list was made, or not loadable by name: weftd loads what it needs.
                }
            }
        }
        System.out.println("class archive training: " + loaded + " classes of " + CLASS_LIST);
    }

    /** etcd's client (the JDK's HTTP client, Jackson), as a start that waits for etcd loads it. */
    private static void waitForAnEtcdThatIsNotThere(final WeftdConfig config)
        throws IOException, InterruptedException {
        try (LeaseRegistry registry = Registries.open(config)) {
            final Thread waiting = new Thread(() -> {
                try {
                    registry.awaitNetworkConfig();
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "training-etcd");
            waiting.setDaemon(true);
            waiting.start();
            waiting.join(ETCD_WAIT_MS);
            waiting.interrupt();
        }
    }

    private static void serveAndFetchMetrics() throws IOException {
        try (MetricsServer server = new MetricsServer(Ipv4Addresses.parse("127.0.0.1"), 0, () -> "weft_up 1\n",
            () -> null, "--metrics-port")) {
            for (final String path : List.of("/metrics", "/readyz")) {
                // A bare request: the JDK's URL connection would archive its own classes, which weftd never loads.
                try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), server.port())) {
                    socket.setSoTimeout(METRICS_WAIT_MS);
                    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    socket.getInputStream().readAllBytes(); // the server closes after its answer
                }
            }
        }
    }

    /** libc through jnr-ffi: its stubs are made at run time, but the classes that make them are archived. */
    private static void openDescriptorsAsTheLanesDo() throws IOException {
        try (Epoll epoll = new Epoll(); EventFd wakeup = new EventFd();
             UdpSocket socket = UdpSocket.bind(Ipv4Addresses.parse("127.0.0.1"), 0, false, 0, 0)) {
            epoll.add(wakeup.fd(), Epoll.EPOLLIN);
            epoll.add(socket.fd(), Epoll.EPOLLIN);
            wakeup.signal();
            epoll.await(0);
            wakeup.drain();
        }
    }
}
