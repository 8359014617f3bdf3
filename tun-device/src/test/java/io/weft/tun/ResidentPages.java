package io.weft.tun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * How many pages of a range of this process's memory are resident, from /proc/self/pagemap (one 64-bit entry per
 * page, bit 63 "present"; readable by the process itself without privileges). Exact for a range, where smaps counts
 * a whole mapping and the kernel merges neighbouring anonymous mappings into one.
 */
public final class ResidentPages {
    private static final int PAGE = 4096;
    private static final long PRESENT = 1L << 63;

    private ResidentPages() {
    }

    /** The resident bytes of the pages that hold {@code length} bytes from page-aligned {@code address}. */
    public static long residentBytes(final long address, final long length) {
        final int pages = (int)((length + PAGE - 1) / PAGE);
        final ByteBuffer entries = ByteBuffer.allocate(pages * Long.BYTES).order(ByteOrder.nativeOrder());
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"))) {
            long position = address / PAGE * Long.BYTES;
            while (entries.hasRemaining()) {
                final int read = pagemap.read(entries, position);
                if (read <= 0) {
                    throw new IOException("pagemap ended before the range's last page");
                }
                position += read;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long resident = 0;
        for (int i = 0; i < pages; i++) {
            if ((entries.getLong(i * Long.BYTES) & PRESENT) != 0) {
                resident += PAGE;
            }
        }
        return resident;
    }
}
