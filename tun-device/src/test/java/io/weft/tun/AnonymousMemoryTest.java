package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;

class AnonymousMemoryTest {
    private static final int PAGE = 4096;
    private static final int LENGTH = 256 * PAGE;

    @Test
    void shouldTakeMemoryOnlyForThePagesWritten() throws NativeException {
        final long address = AnonymousMemory.map(LENGTH);

        assertThat(address % PAGE).isZero();
        assertThat(ResidentPages.residentBytes(address, LENGTH)).isZero();
        final Pointer memory = Pointer.wrap(Native.RUNTIME, address);
        memory.putByte(0, (byte)1);
        memory.putByte(3 * PAGE + 7, (byte)2);
        assertThat(ResidentPages.residentBytes(address, LENGTH)).isEqualTo(2L * PAGE);
    }

    @Test
    void shouldDeclineHugePagesSoThatAPageWrittenIsAPageTaken() throws NativeException, IOException {
        final long address = AnonymousMemory.map(LENGTH);

        assertThat(vmFlagsOfTheMappingHolding(address)).as("VmFlags (smaps), \"nh\": no huge pages").contains("nh");
    }

    @Test
    void shouldReadAsZerosBeforeItIsWritten() throws NativeException {
        final Pointer memory = Pointer.wrap(Native.RUNTIME, AnonymousMemory.map(LENGTH));

        for (int i = 0; i < LENGTH; i += Long.BYTES) {
            assertThat(memory.getLong(i)).as("offset %d", i).isZero();
        }
        memory.putLong(LENGTH - Long.BYTES, -1L);
        assertThat(memory.getLong(LENGTH - Long.BYTES)).isEqualTo(-1L);
    }

    @Test
    void shouldNameTheRefusalWhenTheKernelHasNoRoomForIt() {
        // Larger than the 47-bit user address space of x86_64 and of aarch64's default 48-bit one.
        assertThatThrownBy(() -> AnonymousMemory.map(1L << 50))
            .isInstanceOf(NativeException.class)
            .hasMessageContaining("mmap of 1125899906842624 bytes")
            .hasMessageContaining("ENOMEM");
    }

    @Test
    void shouldRefuseANonPositiveLength() {
        assertThatThrownBy(() -> AnonymousMemory.map(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> vmFlagsOfTheMappingHolding(final long address) throws IOException {
        boolean inside = false;
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            final int dash = line.indexOf('-');
            if (dash > 0 && line.indexOf(' ') > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                final long end = Long.parseUnsignedLong(line.substring(dash + 1, line.indexOf(' ')), 16);
                inside = start <= address && address < end;
            } else if (inside && line.startsWith("VmFlags:")) {
                return List.of(line.substring("VmFlags:".length()).trim().split("\\s+"));
            }
        }
        throw new AssertionError("no mapping of this process holds 0x" + Long.toHexString(address));
    }
}
