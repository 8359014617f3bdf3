package io.weft.testbed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A weftd started in a node ({@link Node#startWeftd}): its process, health and metrics endpoint. */
public final class WeftdProcess {
    /** Overrides where weftd.jar is; default: {@code dataplane/target/weftd.jar} above the working directory. */
    public static final String JAR_PROPERTY = "weft.weftd.jar";
    public static final int DEFAULT_METRICS_PORT = 9286;
    /** weftd's JVM options, beside the jar (the build puts them there), as {@code java @weftd.jvm} reads them. */
    public static final String JVM_OPTIONS_FILE = "weftd.jvm";
    /** The classes a start loads, archived by the build's training run (AppCDS) for the java that built it. */
    public static final String CLASS_ARCHIVE_FILE = "weftd.jsa";
    private static final long POLL_MS = 100;

    private final Node node;
    private final ManagedProcess process;
    private final String metricsHost;
    private final int metricsPort;

    WeftdProcess(Node node, ManagedProcess process, Map.Entry<String, Integer> metrics) {
        this.node = node;
        this.process = process;
        this.metricsHost = metrics.getKey();
        this.metricsPort = metrics.getValue();
    }

    /**
     * Runs {@code launches} with {@value #JAR_PROPERTY} set to {@code jar}, so that the weftds it starts run that
     * build, and sets the property back as it was; with {@code jar} null, as it is.
     */
    public static <T> T fromJar(String jar, Supplier<T> launches) {
        if (jar == null) {
            return launches.get();
        }
        String was = System.getProperty(JAR_PROPERTY);
        System.setProperty(JAR_PROPERTY, jar);
        try {
            return launches.get();
        } finally {
            if (was == null) {
                System.clearProperty(JAR_PROPERTY);
            } else {
                System.setProperty(JAR_PROPERTY, was);
            }
        }
    }

    /** The jar from {@code -Dweft.weftd.jar}, else {@code dataplane/target/weftd.jar} in the nearest parent dir. */
    public static Path locateJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path jar = Path.of(configured).toAbsolutePath();
            if (!Files.isRegularFile(jar)) {
                throw new TestbedException(JAR_PROPERTY + "=" + configured + " is not a file");
            }
            return withJvmOptions(jar);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("dataplane/target/weftd.jar");
            if (Files.isRegularFile(jar)) {
                return withJvmOptions(jar);
            }
        }
        throw new TestbedException("no dataplane/target/weftd.jar above " + Path.of("").toAbsolutePath()
            + " (build it with mvn package, or set -D" + JAR_PROPERTY + ")");
    }

    private static Path withJvmOptions(Path jar) {
        if (!Files.isRegularFile(jar.resolveSibling(JVM_OPTIONS_FILE))) {
            throw new TestbedException("no " + JVM_OPTIONS_FILE + " beside " + jar + ": weftd's JVM options, which the"
                + " build copies there (mvn package)");
        }
        return jar;
    }

    /**
     * {@code java} with weftd's JVM options as shipped ({@value #JVM_OPTIONS_FILE} beside the jar), its class archive
     * ({@value #CLASS_ARCHIVE_FILE}) when the build made one beside it, the jar, args.
     */
    static List<String> command(Path jar, List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "@" + jar.resolveSibling(JVM_OPTIONS_FILE)));
        Path archive = jar.resolveSibling(CLASS_ARCHIVE_FILE);
        if (Files.isRegularFile(archive)) {
            command.add("-XX:SharedArchiveFile=" + archive);
        }
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        return command;
    }

    /**
     * A weftd command line with {@code jvmOptions} after weftd's own, so that they override them (the JVM takes the
     * last of each).
     */
    public static List<String> withJvmOptions(List<String> command, List<String> jvmOptions) {
        int jar = command.indexOf("-jar");
        if (jar < 0) {
            throw new IllegalArgumentException("not a java -jar command line: " + command);
        }
        List<String> launched = new ArrayList<>(command);
        launched.addAll(jar, jvmOptions);
        return launched;
    }

    /**
     * Where to reach /readyz (and /metrics, unless it is off) from inside the node, from --metrics-ip/--metrics-port
     * (flag=value or flag value), or from flanneld's --healthz-ip/--healthz-port with --metrics-port 0.
     */
    static Map.Entry<String, Integer> metricsEndpoint(List<String> args) {
        String port = flag(args, "--metrics-port");
        boolean metricsOff = "0".equals(port);
        String ip = flag(args, metricsOff ? "--healthz-ip" : "--metrics-ip");
        if (metricsOff) {
            port = flag(args, "--healthz-port");
        }
        String host = ip == null || ip.isEmpty() || "0.0.0.0".equals(ip) ? "127.0.0.1" : ip;
        return Map.entry(host, port == null ? DEFAULT_METRICS_PORT : Integer.parseInt(port));
    }

    public ManagedProcess process() {
        return process;
    }

    public Node node() {
        return node;
    }

    public int metricsPort() {
        return metricsPort;
    }

    /** Polls {@code curl -sf http://<metrics-ip>:<port>/readyz} in the node until it succeeds: weftd forwards. */
    public WeftdProcess awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String url = "http://" + metricsHost + ":" + metricsPort + "/readyz";
        ExecResult last = null;
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new TestbedException("weftd in " + node.name() + " exited with " + process.exitCode()
                    + Shell.section("log " + process.logFile(), process.logText()));
            }
            last = node.exec(Duration.ofSeconds(5), List.of("curl", "-sf", "--max-time", "1", url));
            if (last.ok()) {
                return this;
            }
            ManagedProcess.sleepMs(POLL_MS);
        }
        throw new TestbedException("weftd in " + node.name() + " not healthy at " + url + " after "
            + timeout.toMillis() + " ms" + (last == null ? "" : Shell.section("curl", last.stderr()))
            + Shell.section("log " + process.logFile(), process.logText()));
    }

    /** /metrics on the metrics port, parsed by {@link Metrics#parse}. */
    public Map<String, Number> metrics() {
        return Metrics.fetch(node, metricsHost, metricsPort);
    }

    /** SIGTERM, then SIGKILL after 5 s; returns the exit code. */
    public int stop() {
        return process.stop();
    }

    private static String flag(List<String> args, String name) {
        String value = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals(name) && i + 1 < args.size()) {
                value = args.get(++i);
            } else if (arg.startsWith(name + "=")) {
                value = arg.substring(name.length() + 1);
            }
        }
        return value;
    }
}
