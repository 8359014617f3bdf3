package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

/** The packet path allocates nothing: sealing, opening, the header readers and the replay window. */
class DatagramSealAllocationTest {
    private static final byte[] KEY = Hex.bytes("000102030405060708090a0b0c0d0e0f");
    private static final int PACKET_LENGTH = 1400;

    @Test
    void shouldAllocateNothingPerDatagramOnceWarm() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (NativeBytes datagram = new NativeBytes(PACKET_LENGTH + AuthHeader.OVERHEAD);
             DatagramSeal seal = new DatagramSeal(KEY); DatagramOpen open = new DatagramOpen(KEY)) {
            final ReplayWindow window = new ReplayWindow();
            datagram.put(12, new byte[PACKET_LENGTH]);
            long counter = run(seal, open, window, datagram, 0, 20_000);
            // A round may catch the JIT's last steps (a few hundred bytes, once); a path that allocated per datagram
            // would allocate in every round at least 10,000 times over.
            long fewest = Long.MAX_VALUE;
            for (int round = 0; round < 5 && fewest > 0; round++) {
                final long before = threads.getCurrentThreadAllocatedBytes();
                counter = run(seal, open, window, datagram, counter, 10_000);
                fewest = Math.min(fewest, threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertThat(counter % 10_000).as("every datagram opened").isZero();
            assertThat(fewest).as("bytes allocated by 10,000 datagrams, fewest of up to 5 rounds").isZero();
        }
    }

    private static long run(final DatagramSeal seal, final DatagramOpen open, final ReplayWindow window,
        final NativeBytes datagram, final long first, final int count) {
        long opened = first;
        for (long counter = first; counter < first + count; counter++) {
            final int type = (counter & 1) == 0 ? AuthHeader.TYPE_ENCRYPTED : AuthHeader.TYPE_AUTHENTICATED;
            final int length = seal.seal(datagram.address, PACKET_LENGTH, type, 1, 2, counter);
            if (AuthHeader.isAuthenticated(NativeMemory.getUnsignedByte(datagram.address))
                && window.isFresh(AuthHeader.counter(datagram.address))
                && open.open(datagram.address, length) == PACKET_LENGTH
                && AuthHeader.keyId(datagram.address) == 1 && AuthHeader.lane(datagram.address) == 2
                && window.markSeen(AuthHeader.counter(datagram.address))) {
                opened++;
            }
        }
        return opened;
    }
}
