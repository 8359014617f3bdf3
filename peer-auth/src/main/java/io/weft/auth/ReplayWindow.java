package io.weft.auth;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters already accepted from one sender lane under one key and epoch, so that each is accepted at most once
 * (as RFC 6479's window, without a lock): shared by the receiving threads, each a CAS on one slot.
 *
 * <p>Counters are grouped in blocks of 8 ({@code block = counter >>> 3}); block {@code b} lives in slot
 * {@code b & (slots - 1)}, a long holding {@code b << 8 | bitmap}, bit {@code counter & 7} of the bitmap set once
 * that counter is seen. A slot only moves to a newer block (dropping the older block's bitmap), never back: a
 * counter whose slot holds its block with its bit set is a replay, and one whose slot holds a newer block is too
 * old. Reordering of up to {@code (slots - 1) * 8} counters is tolerated. A new window's slots are zero, block 0
 * with no bit set: counters 0 to 7 are unseen and every other block is newer, so each counter is accepted once.
 *
 * <p>The block is kept whole (53 bits for a 56-bit counter, with an 8-bit bitmap), not cut to 32 bits beside a
 * 32-bit bitmap: a 32-bit block number wraps after 2<sup>37</sup> counters, and a datagram recorded that many
 * counters earlier would then look like one of the current blocks and be accepted again.
 */
public final class ReplayWindow {
    public static final int DEFAULT_SLOTS = 256;
    private static final int BLOCK_SHIFT = 3;
    private static final int BITMAP_BITS = 1 << BLOCK_SHIFT;

    private final AtomicLongArray slots;
    private final int slotMask;

    public ReplayWindow() {
        this(DEFAULT_SLOTS);
    }

    /** @param slots a power of two, at least 2: the window tolerates {@code (slots - 1) * 8} counters of reordering */
    public ReplayWindow(final int slots) {
        if (slots < 2 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("a replay window's slots are a power of two, at least 2, not " + slots);
        }
        this.slots = new AtomicLongArray(slots);
        this.slotMask = slots - 1;
    }

    /** How many counters a datagram may arrive behind the newest one and still be accepted. */
    public int toleratedReordering() {
        return slotMask * BITMAP_BITS;
    }

    /**
     * Whether {@code counter} has not been seen and is not too old: a cheap look before the tag is checked. Only
     * {@link #markSeen} decides.
     */
    public boolean isFresh(final long counter) {
        if (counter < 0 || counter > AuthHeader.MAX_COUNTER) {
            return false;
        }
        final long block = counter >>> BLOCK_SHIFT;
        final long slot = slots.get(slotIndex(counter));
        final long slotBlock = slot >>> BITMAP_BITS;
        return slotBlock < block || slotBlock == block && (slot & bit(counter)) == 0;
    }

    /**
     * Records {@code counter} (after its datagram's tag was verified). Returns true exactly once per counter: false
     * for a replay, a counter too old for the window, or one outside 56 bits.
     */
    public boolean markSeen(final long counter) {
        if (counter < 0 || counter > AuthHeader.MAX_COUNTER) {
            return false;
        }
        final long block = counter >>> BLOCK_SHIFT;
        final long bit = bit(counter);
        final int index = slotIndex(counter);
        while (true) {
            final long slot = slots.get(index);
            final long slotBlock = slot >>> BITMAP_BITS;
            final long next;
            if (slotBlock == block) {
                if ((slot & bit) != 0) {
                    return false;
                }
                next = slot | bit;
            } else if (slotBlock < block) {
                next = block << BITMAP_BITS | bit;
            } else {
                return false;
            }
            if (slots.compareAndSet(index, slot, next)) {
                return true;
            }
        }
    }

    private int slotIndex(final long counter) {
        return (int)(counter >>> BLOCK_SHIFT) & slotMask;
    }

    private static long bit(final long counter) {
        return 1L << (counter & (BITMAP_BITS - 1));
    }
}
