package io.weft.tun;

import java.util.Locale;
import java.util.Optional;

/**
 * The machine architectures weft binds the kernel on, and the one kernel struct whose layout differs between them.
 * Both are LP64 Linux with the generic syscall ABI: ioctl numbers, socket options, flags, errno values and the
 * layouts of msghdr, mmsghdr, iovec, cmsghdr, sockaddr_in, ifreq and the netlink headers are the same on both, and
 * NativeLayoutTest checks every one against the C headers compiled for each. struct epoll_event is packed on x86_64
 * only ({@code __EPOLL_PACKED} in the kernel's uapi header).
 */
public enum Architecture {
    /** {@code struct epoll_event { __u32 events; __u64 data; } __attribute__((packed))}: 12 bytes, data at 4. */
    X86_64(12, 4),
    /** The same struct naturally aligned: 16 bytes, data at 8. */
    AARCH64(16, 8);

    private final int epollEventLength;
    private final int epollEventDataOffset;

    Architecture(final int epollEventLength, final int epollEventDataOffset) {
        this.epollEventLength = epollEventLength;
        this.epollEventDataOffset = epollEventDataOffset;
    }

    int epollEventLength() {
        return epollEventLength;
    }

    int epollEventDataOffset() {
        return epollEventDataOffset;
    }

    /** The architecture of {@code os.arch} as the JDK names it, if weft supports it. */
    public static Optional<Architecture> of(final String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> Optional.of(X86_64);
            case "aarch64", "arm64" -> Optional.of(AARCH64);
            default -> Optional.empty();
        };
    }

    /** This JVM's architecture; throws, naming it, on one weft does not support. */
    public static Architecture current() {
        final String osArch = System.getProperty("os.arch");
        return of(osArch).orElseThrow(() -> new UnsupportedOperationException("weft binds the kernel on x86_64 and"
            + " aarch64 only, not on os.arch=" + osArch));
    }
}
