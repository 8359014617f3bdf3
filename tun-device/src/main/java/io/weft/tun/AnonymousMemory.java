package io.weft.tun;

import jnr.ffi.Pointer;

/**
 * Private anonymous memory straight from the kernel (mmap), for buffers the kernel and the lanes write into. A page
 * takes memory only once it is first written, and reads as zeros before: a packet buffer sized for 64 KiB
 * super-packets costs a page per slot while only small packets pass, where a direct ByteBuffer is zeroed (so
 * resident) in full when allocated. Huge pages are declined for it, so a page stays a page. The memory is never
 * unmapped: weftd makes its buffers once and keeps them for the life of the process, and a buffer the collector could
 * free under a system call that still writes into it is the risk this avoids.
 */
public final class AnonymousMemory {
    /** mman-common.h, the same on x86_64 and aarch64 (the only architectures {@link Architecture} accepts). */
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MADV_NOHUGEPAGE = 15;
    private static final long MAP_FAILED = -1L;

    private AnonymousMemory() {
    }

    /**
     * Maps {@code length} bytes, readable and writable, page-aligned and reading as zeros.
     *
     * @throws NativeException when the kernel refuses (ENOMEM: the address space or the overcommit limit)
     */
    public static long map(final long length) throws NativeException {
        if (length <= 0) {
            throw new IllegalArgumentException("a mapping needs a positive length, not " + length);
        }
        final Pointer mapping = Native.libc().mmap(null, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
            -1, 0L);
        if (mapping.address() == MAP_FAILED) {
            throw new NativeException("mmap of " + length + " bytes for packet buffers", Native.errno(), "");
        }
        // Where transparent huge pages are "always", the first packet in a 2 MiB-aligned stretch (the kernel merges
        // neighbouring mappings) would make all of it resident. Best effort: a kernel without them refuses, harmlessly.
        Native.libc().madvise(mapping, length, MADV_NOHUGEPAGE);
        return mapping.address();
    }
}
