package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The struct layouts and constants the jnr-ffi facade hard-codes, checked against the C headers compiled for each
 * architecture weft supports: a C probe prints sizeof/offsetof and the constants, built with the native or cross
 * compiler and run natively or under qemu-user. Needs gcc, gcc-aarch64-linux-gnu and qemu-user (./weft installs them).
 */
class NativeLayoutTest {
    /** Probe line -> the Java constant that must equal it (same on x86_64 and aarch64: LP64, generic ABI). */
    private static final Map<String, String> SHARED = new LinkedHashMap<>();

    static {
        shared("offsetof_msghdr_msg_namelen", "MessageHeader.NAME_LENGTH_OFFSET");
        shared("offsetof_msghdr_msg_iov", "MessageHeader.IOV_OFFSET");
        shared("offsetof_msghdr_msg_iovlen", "MessageHeader.IOV_LENGTH_OFFSET");
        shared("offsetof_msghdr_msg_control", "MessageHeader.CONTROL_OFFSET");
        shared("offsetof_msghdr_msg_controllen", "MessageHeader.CONTROL_LENGTH_OFFSET");
        shared("offsetof_msghdr_msg_flags", "MessageHeader.FLAGS_OFFSET");
        shared("offsetof_cmsghdr_cmsg_level", "MessageHeader.CMSG_LEVEL_OFFSET");
        shared("offsetof_cmsghdr_cmsg_type", "MessageHeader.CMSG_TYPE_OFFSET");
        shared("CMSG_DATA_OFFSET", "MessageHeader.CMSG_DATA_OFFSET");
        shared("sizeof_mmsghdr", "MessageVector.MMSGHDR_LENGTH");
        shared("offsetof_mmsghdr_msg_len", "MessageVector.MSG_LEN_OFFSET");
        shared("sizeof_iovec", "MessageVector.IOVEC_LENGTH");
        shared("sizeof_sockaddr_in", "SocketConstants.SOCKADDR_IN_LENGTH");
        shared("sizeof_ifreq", "TunDevice.IFREQ_LENGTH");
        shared("offsetof_ifreq_ifr_flags", "TunDevice.IFREQ_FLAGS_OFFSET");
        shared("sizeof_virtio_net_hdr", "TunDevice.VIRTIO_NET_HDR_LENGTH");
        shared("sizeof_nlmsghdr", "Netlink.NLMSG_HEADER_LENGTH");
        shared("sizeof_ifinfomsg", "Netlink.IFINFOMSG_LENGTH");
        shared("sizeof_ifaddrmsg", "Netlink.IFADDRMSG_LENGTH");
        shared("sizeof_rtmsg", "Netlink.RTMSG_LENGTH");
        shared("sizeof_sockaddr_nl", "Netlink.SOCKADDR_NL_LENGTH");
        for (String name : List.of("TUNSETIFF", "TUNSETOFFLOAD", "TUNSETVNETHDRSZ", "IFF_TUN", "IFF_NO_PI",
            "IFF_VNET_HDR", "IFF_MULTI_QUEUE", "TUN_F_CSUM", "TUN_F_TSO4", "TUN_F_TSO6")) {
            shared(name, "TunDevice." + name);
        }
        for (String name : List.of("EPOLLIN", "EPOLLOUT", "EPOLL_CTL_ADD", "EPOLL_CTL_DEL", "EPOLL_CLOEXEC")) {
            shared(name, "Epoll." + name);
        }
        shared("sizeof_sockaddr_un", "UnixSeqpacket.SOCKADDR_UN_LENGTH");
        shared("offsetof_sockaddr_un_sun_path", "UnixSeqpacket.SUN_PATH_OFFSET");
        shared("sizeof_ucred", "UnixSeqpacket.UCRED_LENGTH");
        shared("offsetof_ucred_uid", "UnixSeqpacket.UCRED_UID_OFFSET");
        for (String name : List.of("SO_PEERCRED", "SO_RCVTIMEO", "SCM_RIGHTS", "MSG_CMSG_CLOEXEC", "MSG_CTRUNC")) {
            shared(name, "UnixSeqpacket." + name);
        }
        shared("SCM_MAX_FD_PROBE", "UnixSeqpacket.MAX_FDS");
        shared("CMSG_SPACE_OF_THREE_FDS", "UnixSeqpacket.CMSG_SPACE_OF_THREE_FDS");
        shared("AF_UNIX", "SocketConstants.AF_UNIX");
        shared("SOCK_SEQPACKET", "SocketConstants.SOCK_SEQPACKET");
        for (String name : List.of("TUNSETPERSIST", "TUNGETIFF", "IFF_PERSIST")) {
            shared(name, "TunDevice." + name);
        }
        for (String name : List.of("RTM_DELLINK", "RTM_DELADDR", "RTN_BLACKHOLE", "RTA_PRIORITY")) {
            shared(name, "Netlink." + name);
        }
        shared("EADDRINUSE", "Errno.EADDRINUSE");
        shared("ECONNREFUSED", "Errno.ECONNREFUSED");
        shared("EFD_NONBLOCK", "EventFd.EFD_NONBLOCK");
        shared("EFD_CLOEXEC", "EventFd.EFD_CLOEXEC");
        for (String name : List.of("O_RDWR", "O_NONBLOCK", "O_CLOEXEC", "SOL_SOCKET", "SO_REUSEADDR", "SO_REUSEPORT",
            "SO_SNDBUF", "SO_RCVBUF", "SO_SNDBUFFORCE", "SO_RCVBUFFORCE", "SOCK_DGRAM", "SOCK_NONBLOCK",
            "SOCK_CLOEXEC", "AF_INET", "AF_NETLINK", "MSG_DONTWAIT")) {
            shared(name, "SocketConstants." + name);
        }
        shared("IPPROTO_UDP", "UdpSocket.SOL_UDP");
        shared("UDP_SEGMENT", "UdpSocket.UDP_SEGMENT");
        shared("UDP_GRO", "UdpSocket.UDP_GRO");
        shared("MSG_TRUNC", "UdpSocket.MSG_TRUNC");
        for (String name : List.of("EAGAIN", "EINTR", "EBADFD", "EMSGSIZE", "EINVAL", "EIO", "EPERM", "ENOBUFS")) {
            shared(name, "Errno." + name);
        }
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void shouldMatchTheCHeadersWhenCompiledForTheArchitecture(final Architecture architecture) throws Exception {
        final Map<String, Long> c = probe(architecture);

        assertThat(c.get("sizeof_epoll_event")).as("sizeof(struct epoll_event)")
            .isEqualTo(architecture.epollEventLength());
        assertThat(c.get("offsetof_epoll_event_data")).as("offsetof(struct epoll_event, data)")
            .isEqualTo(architecture.epollEventDataOffset());
        for (Map.Entry<String, String> fact : SHARED.entrySet()) {
            assertThat(c).as("the probe printed %s", fact.getKey()).containsKey(fact.getKey());
            assertThat(javaValue(fact.getValue())).as("%s = C's %s on %s", fact.getValue(), fact.getKey(),
                architecture).isEqualTo(c.get(fact.getKey()));
        }
    }

    @Test
    void shouldNameTheArchitectureWhenWeftDoesNotSupportIt() {
        assertThat(Architecture.of("amd64")).contains(Architecture.X86_64);
        assertThat(Architecture.of("aarch64")).contains(Architecture.AARCH64);
        assertThat(Architecture.of("riscv64")).isEmpty();
        final String osArch = System.getProperty("os.arch");
        try {
            System.setProperty("os.arch", "s390x");
            assertThatThrownBy(Architecture::current).hasMessageContaining("os.arch=s390x")
                .hasMessageContaining("x86_64 and aarch64");
        } finally {
            System.setProperty("os.arch", osArch);
        }
    }

    private static void shared(final String probeName, final String javaConstant) {
        SHARED.put(probeName, javaConstant);
    }

    private static long javaValue(final String classDotField) throws ReflectiveOperationException {
        final int dot = classDotField.indexOf('.');
        final Field field = Class.forName("io.weft.tun." + classDotField.substring(0, dot))
            .getDeclaredField(classDotField.substring(dot + 1));
        field.setAccessible(true);
        return ((Number)field.get(null)).longValue();
    }

    /** Compiles the probe for {@code architecture} and runs it, natively or under qemu-user. */
    private Map<String, Long> probe(final Architecture architecture) throws IOException, InterruptedException {
        final Architecture host = Architecture.current();
        final String gnuName = architecture.name().toLowerCase(Locale.ROOT);
        final String compiler = architecture == host ? "gcc" : gnuName + "-linux-gnu-gcc";
        final String emulator = "qemu-" + gnuName;
        assumeTrue(onPath(compiler), () -> "needs " + compiler + " (Debian: " + (architecture == host ? "gcc"
            : "gcc-" + gnuName.replace('_', '-') + "-linux-gnu") + ")");
        assumeTrue(architecture == host || onPath(emulator), () -> "needs " + emulator + " (Debian: qemu-user)");
        final Path source = dir.resolve("layout_probe.c");
        try (InputStream in = NativeLayoutTest.class.getResourceAsStream("layout_probe.c")) {
            Files.copy(in, source);
        }
        final Path binary = dir.resolve("probe-" + gnuName);
        run(List.of(compiler, "-static", "-o", binary.toString(), source.toString()));
        final List<String> command = new ArrayList<>();
        if (architecture != host) {
            command.add(emulator);
        }
        command.add(binary.toString());
        final Map<String, Long> values = new LinkedHashMap<>();
        for (String line : run(command).split("\n")) {
            final String[] parts = line.trim().split(" ");
            if (parts.length == 2) {
                values.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        return values;
    }

    private static String run(final List<String> command) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
        return output;
    }

    private static boolean onPath(final String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
