package io.weft.testbed;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The namespace topology of one weft cluster run: an underlay hub, nodes and pods, and the processes started in
 * them. Every name carries a per-run prefix; {@link #close()} (also run by a shutdown hook) removes all of it.
 */
public final class Testbed implements AutoCloseable {
    /** Set to {@code true} to keep the run directory (logs, leases, IPAM state) after close. */
    public static final String KEEP_RUN_DIR_PROPERTY = "weft.testbed.keep";
    static final Path RUN_DIR_PARENT = Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9]{0,11}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String prefix;
    private final Path runDir;
    private final Thread shutdownHook;
    private final List<String> namespaces = new ArrayList<>();
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> logNames = new LinkedHashMap<>();
    private Hub hub;
    private boolean closed;

    private Testbed(String prefix, Path runDir) {
        this.prefix = prefix;
        this.runDir = runDir;
        this.shutdownHook = new Thread(this::close, "testbed-" + prefix + "-cleanup");
    }

    /** Why a testbed cannot be built here (not root, no {@code ip}, no CNI plugins), or empty when it can. */
    public static Optional<String> unavailabilityCause() {
        if (!ProcessHandle.current().info().user().map("root"::equals).orElse(false)) {
            return Optional.of("needs root: creates network namespaces and runs CNI plugins");
        }
        if (!Shell.onPath("ip")) {
            return Optional.of("needs iproute2 (ip) on PATH");
        }
        for (String plugin : List.of("bridge", "host-local", "portmap")) {
            if (!Files.isExecutable(Cni.binDir().resolve(plugin))) {
                return Optional.of("needs the CNI plugin " + Cni.binDir().resolve(plugin)
                    + " (Debian: containernetworking-plugins)");
            }
        }
        return Optional.empty();
    }

    /** Picks a fresh run prefix, makes the run directory and the underlay hub namespace with bridge br0. */
    public static Testbed create() {
        Testbed testbed = allocate();
        Runtime.getRuntime().addShutdownHook(testbed.shutdownHook);
        try {
            testbed.hub = Hub.create(testbed);
        } catch (RuntimeException e) {
            testbed.close();
            throw e;
        }
        return testbed;
    }

    private static Testbed allocate() {
        for (int attempt = 0; attempt < 16; attempt++) {
            String prefix = "wt" + HexFormat.of().toHexDigits((short) RANDOM.nextInt()).substring(0, 4);
            if (prefixInUse(prefix)) {
                continue;
            }
            Path runDir = RUN_DIR_PARENT.resolve("weft-" + prefix);
            try {
                Files.createDirectory(runDir);
                return new Testbed(prefix, runDir);
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (IOException e) {
                throw new TestbedException("cannot create run directory " + runDir + ": " + e, e);
            }
        }
        throw new TestbedException("no free run prefix after 16 attempts");
    }

    // Other runs (other sessions, other modules' tests) use the same scheme: a prefix is ours only if nothing has it.
    private static boolean prefixInUse(String prefix) {
        Path netnsDir = Path.of("/run/netns");
        if (!Files.isDirectory(netnsDir)) {
            return false;
        }
        try (Stream<Path> names = Files.list(netnsDir)) {
            return names.anyMatch(name -> name.getFileName().toString().startsWith(prefix + "-"));
        } catch (IOException e) {
            throw new TestbedException("cannot list " + netnsDir + ": " + e, e);
        }
    }

    /** The per-run prefix of every namespace, e.g. {@code wt3f2a}. */
    public String prefix() {
        return prefix;
    }

    /** {@code /tmp/weft-<prefix>}: logs, IPAM state, lease files. */
    public Path runDir() {
        return runDir;
    }

    public Hub hub() {
        return hub;
    }

    /** Adds a node: namespace {@code <prefix>-<name>}, eth0 on the hub's bridge with {@code underlayIp}/24. */
    public Node addNode(String name, String underlayIp) {
        checkLabel(name);
        synchronized (this) {
            checkOpen();
            if (nodes.containsKey(name)) {
                throw new IllegalArgumentException("node " + name + " exists");
            }
            if (nodes.values().stream().anyMatch(n -> n.ip().equals(underlayIp))) {
                throw new IllegalArgumentException("underlay address " + underlayIp + " is taken");
            }
        }
        Node node = Node.create(this, name, underlayIp);
        synchronized (this) {
            nodes.put(name, node);
        }
        return node;
    }

    public synchronized Node node(String name) {
        Node node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no node " + name);
        }
        return node;
    }

    public synchronized List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Every namespace this run has made and not yet deleted, in creation order. */
    public synchronized List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    /** Stops every process (SIGTERM, 5 s, SIGKILL), deletes every namespace, then the run directory. Idempotent. */
    @Override
    public void close() {
        List<ManagedProcess> toStop;
        List<String> toDelete;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(processes);
            toDelete = new ArrayList<>(namespaces);
        }
        Collections.reverse(toStop);
        Collections.reverse(toDelete);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        // Stop in parallel: each may take the full grace period.
        toStop.parallelStream().forEach(process -> {
            try {
                process.stop();
            } catch (RuntimeException e) {
                problems.add("cannot stop " + process + ": " + e);
            }
        });
        for (String netns : toDelete) {
            ExecResult result = Shell.run(List.of("ip", "netns", "delete", netns));
            if (!result.ok() && Files.exists(Path.of("/run/netns", netns))) {
                problems.add(result.describe());
            }
            synchronized (this) {
                namespaces.remove(netns);
            }
        }
        if (!Boolean.getBoolean(KEEP_RUN_DIR_PROPERTY)) {
            deleteTree(runDir, problems);
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // JVM already shutting down: the hook is running or will find us closed.
            }
        }
        if (!problems.isEmpty()) {
            throw new TestbedException("testbed " + prefix + " cleanup incomplete:\n" + String.join("\n", problems));
        }
    }

    @Override
    public String toString() {
        return "Testbed[" + prefix + ", " + runDir + "]";
    }

    /** Creates a namespace, tracking it for deletion; refused once closed. */
    void addNamespace(String netns) {
        checkOpen();
        Shell.run(List.of("ip", "netns", "add", netns)).orThrow();
        synchronized (this) {
            namespaces.add(netns);
            if (closed) {
                Shell.run(List.of("ip", "netns", "delete", netns));
                namespaces.remove(netns);
                throw new TestbedException("testbed " + prefix + " closed while creating " + netns);
            }
        }
    }

    String namespaceName(String label) {
        return prefix + "-" + label;
    }

    ExecResult exec(String netns, Duration timeout, List<String> command) {
        checkOpen();
        return Shell.run(Shell.inNetns(netns, command), Map.of(), null, timeout);
    }

    /** Runs a command in the root namespace; used only for commands that name their target namespace. */
    ExecResult host(String... command) {
        checkOpen();
        return Shell.run(List.of(command)).orThrow();
    }

    ManagedProcess start(String netns, String name, List<String> command) {
        checkLabelish(name);
        Path log;
        synchronized (this) {
            checkOpen();
            String base = netns.substring(prefix.length() + 1) + "-" + name;
            int seen = logNames.merge(base, 1, Integer::sum);
            log = runDir.resolve(seen == 1 ? base + ".log" : base + "-" + seen + ".log");
        }
        List<String> full = Shell.inNetns(netns, command);
        ManagedProcess process = new ManagedProcess(name, full, Shell.startLogged(full, log), log);
        synchronized (this) {
            processes.add(process);
            if (closed) {
                process.stop();
                throw new TestbedException("testbed " + prefix + " closed while starting " + name);
            }
        }
        return process;
    }

    static void checkLabel(String label) {
        if (!LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException("name '" + label + "' must match " + LABEL.pattern());
        }
    }

    private static void checkLabelish(String name) {
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("process name '" + name + "' must be a plain file name");
        }
    }

    private synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("testbed " + prefix + " is closed");
        }
    }

    private static void deleteTree(Path root, List<String> problems) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            problems.add("cannot delete " + root + ": " + e);
        }
    }
}
