package io.weft.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouteTableLookupBenchmarkTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 16, 65536})
    void shouldLookUpAddressesThatHitAndMissWhenSetUp(final int routes) {
        final RouteTableLookupBenchmark benchmark = new RouteTableLookupBenchmark();
        benchmark.routes = routes;
        benchmark.setUp();

        assertThat(benchmark.snapshot().size()).isEqualTo(routes);
        for (final int address : benchmark.hits()) {
            assertThat(benchmark.snapshot().lookup(address)).isNotEqualTo(RouteSnapshot.NO_ROUTE);
        }
        for (final int address : benchmark.misses()) {
            assertThat(benchmark.snapshot().lookup(address)).isEqualTo(RouteSnapshot.NO_ROUTE);
        }
    }
}
