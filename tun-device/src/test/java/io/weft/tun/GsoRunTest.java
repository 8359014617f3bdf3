package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The UDP GSO run-joining policy alone: plain Java, no socket. */
class GsoRunTest {
    private static final int PEER = 0x0A00_0002;
    private static final int OTHER_PEER = 0x0A00_0003;
    private static final int PORT = 8285;

    private final GsoRun run = new GsoRun(true);

    @Test
    void shouldJoinDatagramsAsLongAsTheFirstToTheSameDestinationWhenSegmenting() {
        assertThat(run.offer(1000, PEER, PORT)).as("the first starts a run").isFalse();
        assertThat(run.offer(1000, PEER, PORT)).isTrue();
        assertThat(run.offer(1000, PEER, PORT)).isTrue();

        assertThat(run.datagrams()).isEqualTo(3);
        assertThat(run.segmentLength()).isEqualTo(1000);
        assertThat(run.canGrow()).isTrue();
    }

    @Test
    void shouldTakeAShorterDatagramAsTheLastOneWhenItEndsTheRun() {
        run.offer(1000, PEER, PORT);
        run.offer(1000, PEER, PORT);

        assertThat(run.offer(400, PEER, PORT)).isTrue();
        assertThat(run.canGrow()).as("only the last may be shorter").isFalse();
        assertThat(run.offer(400, PEER, PORT)).isFalse();
        assertThat(run.segmentLength()).as("the next run is of the shorter size").isEqualTo(400);
        assertThat(run.datagrams()).isEqualTo(1);
    }

    @Test
    void shouldStartANewRunWhenADatagramIsLongerThanTheFirst() {
        run.offer(1000, PEER, PORT);

        assertThat(run.offer(1001, PEER, PORT)).isFalse();
        assertThat(run.segmentLength()).isEqualTo(1001);
    }

    @Test
    void shouldStartANewRunWhenTheDestinationAddressOrPortDiffers() {
        run.offer(1000, PEER, PORT);

        assertThat(run.offer(1000, OTHER_PEER, PORT)).isFalse();
        assertThat(run.offer(1000, OTHER_PEER, PORT + 1)).isFalse();
        assertThat(run.offer(1000, OTHER_PEER, PORT + 1)).isTrue();
    }

    @Test
    void shouldHoldAtMostTheKernelsSegmentLimitWhenDatagramsAreSmall() {
        for (int i = 0; i < UdpSocket.UDP_MAX_SEGMENTS; i++) {
            assertThat(run.offer(100, PEER, PORT)).as("datagram %d", i).isEqualTo(i > 0);
        }
        assertThat(run.canGrow()).isFalse();

        assertThat(run.offer(100, PEER, PORT)).isFalse();
        assertThat(run.offer(10, PEER, PORT)).as("not even a shorter last one").isTrue();
    }

    @Test
    void shouldHoldAtMostOneIpv4PacketsWorthOfBytesWhenDatagramsAreLarge() {
        final int fitting = UdpSocket.UDP_GSO_MAX_BYTES / 1472;
        for (int i = 0; i < fitting; i++) {
            assertThat(run.offer(1472, PEER, PORT)).isEqualTo(i > 0);
        }
        assertThat(run.canGrow()).isFalse();
        final int room = UdpSocket.UDP_GSO_MAX_BYTES - fitting * 1472;

        assertThat(run.offer(room + 1, PEER, PORT)).as("one byte too many").isFalse();
        run.close();
        run.offer(1472, PEER, PORT);
        for (int i = 1; i < fitting; i++) {
            run.offer(1472, PEER, PORT);
        }
        assertThat(run.offer(room, PEER, PORT)).as("a shorter last one that fits exactly").isTrue();
        assertThat(run.datagrams()).isEqualTo(fitting + 1);
    }

    @Test
    void shouldCarryOneDatagramOfTheLargestSizeAlone() {
        assertThat(run.offer(UdpSocket.UDP_GSO_MAX_BYTES, PEER, PORT)).isFalse();
        assertThat(run.canGrow()).isFalse();
        assertThat(run.offer(1, PEER, PORT)).isFalse();
    }

    @Test
    void shouldNeverJoinWhenSegmentationIsOff() {
        final GsoRun plain = new GsoRun(false);
        for (int i = 0; i < 5; i++) {
            assertThat(plain.offer(1000, PEER, PORT)).isFalse();
            assertThat(plain.canGrow()).isFalse();
        }
    }

    @Test
    void shouldCloseTheRunAndNeverJoinAgainWhenSegmentationStops() {
        run.offer(1000, PEER, PORT);
        run.offer(1000, PEER, PORT);

        run.stopSegmentation();

        assertThat(run.canGrow()).isFalse();
        assertThat(run.offer(1000, PEER, PORT)).isFalse();
        assertThat(run.offer(1000, PEER, PORT)).isFalse();
    }

    @Test
    void shouldStartANewRunWhenTheRunWasClosed() {
        run.offer(1000, PEER, PORT);
        run.close();

        assertThat(run.canGrow()).isFalse();
        assertThat(run.offer(1000, PEER, PORT)).isFalse();
        assertThat(run.offer(1000, PEER, PORT)).as("the new run is open").isTrue();
    }

    @Test
    void shouldNeitherJoinNorExtendAnEmptyDatagram() {
        run.offer(1000, PEER, PORT);
        assertThat(run.offer(0, PEER, PORT)).isFalse();
        assertThat(run.canGrow()).isFalse();
        assertThat(run.offer(0, PEER, PORT)).isFalse();
    }

    /**
     * Random streams of datagrams, offered one by one, must come out as runs that UDP GSO accepts (one destination,
     * every datagram but the last as long as the first, the last no longer, the limits kept), in the order offered,
     * cut only where the next datagram could not have joined: the policy is the greedy one, nothing else.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void shouldCutRandomStreamsIntoValidRunsOnlyWhereTheNextDatagramCannotJoin(final long seed) {
        final Random random = new Random(seed);
        final boolean segmentation = seed % 8 != 0;
        final GsoRun policy = new GsoRun(segmentation);
        final List<List<Datagram>> runs = new ArrayList<>();
        Datagram previous = new Datagram(1 + random.nextInt(1500), PEER, PORT);
        for (int i = 0; i < 3000; i++) {
            final Datagram next = nextDatagram(random, previous);
            final boolean closedBefore = random.nextInt(50) == 0;
            if (closedBefore) {
                policy.close();
            }
            if (policy.offer(next.length, next.address, next.port)) {
                assertThat(closedBefore).as("nothing joins a closed run").isFalse();
                runs.get(runs.size() - 1).add(next);
            } else {
                if (!runs.isEmpty() && !closedBefore) {
                    assertThat(acceptable(runs.get(runs.size() - 1), next) && segmentation)
                        .as("datagram %d could have joined the run before it, seed %d", i, seed).isFalse();
                }
                runs.add(new ArrayList<>(List.of(next)));
            }
            final List<Datagram> current = runs.get(runs.size() - 1);
            assertThat(isValid(current)).as("run ending at datagram %d, seed %d", i, seed).isTrue();
            assertThat(policy.datagrams()).isEqualTo(current.size());
            assertThat(policy.segmentLength()).isEqualTo(current.get(0).length);
            final Datagram sameAgain = new Datagram(current.get(0).length, next.address, next.port);
            assertThat(policy.canGrow()).as("can grow after datagram %d, seed %d", i, seed)
                .isEqualTo(segmentation && acceptable(current, sameAgain));
            previous = next;
        }
        assertThat(runs.stream().mapToInt(List::size).sum()).as("every datagram in one run, once").isEqualTo(3000);
        if (!segmentation) {
            assertThat(runs).allSatisfy(oneRun -> assertThat(oneRun).hasSize(1));
        }
    }

    /** Mostly more of the same, so runs grow to their limits; now and then another size or destination. */
    private static Datagram nextDatagram(final Random random, final Datagram previous) {
        final int choice = random.nextInt(100);
        if (choice < 75) {
            return previous;
        }
        if (choice < 85) {
            return new Datagram(Math.max(0, previous.length - random.nextInt(previous.length + 1)), previous.address,
                previous.port);
        }
        if (choice < 92) {
            final int[] sizes = {0, 1, 100, 1000, 1472, 9000, 30_000, UdpSocket.UDP_GSO_MAX_BYTES};
            return new Datagram(sizes[random.nextInt(sizes.length)], previous.address, previous.port);
        }
        return new Datagram(previous.length, random.nextBoolean() ? PEER : OTHER_PEER,
            random.nextBoolean() ? PORT : PORT + 1);
    }

    /** Whether {@code run} plus {@code next} would still be one UDP GSO message, from the rules, not the code. */
    private static boolean acceptable(final List<Datagram> run, final Datagram next) {
        final List<Datagram> longer = new ArrayList<>(run);
        longer.add(next);
        return isValid(longer);
    }

    private static boolean isValid(final List<Datagram> run) {
        if (run.size() == 1) {
            return true;
        }
        final Datagram first = run.get(0);
        long bytes = 0;
        for (int i = 0; i < run.size(); i++) {
            final Datagram datagram = run.get(i);
            bytes += datagram.length;
            final boolean lengthFits = i == run.size() - 1
                ? datagram.length > 0 && datagram.length <= first.length
                : datagram.length == first.length;
            if (!lengthFits || datagram.address != first.address || datagram.port != first.port) {
                return false;
            }
        }
        return run.size() <= UdpSocket.UDP_MAX_SEGMENTS && bytes <= UdpSocket.UDP_GSO_MAX_BYTES;
    }

    private record Datagram(int length, int address, int port) {
    }
}
