package io.weft.dataplane.lane;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The values of {@link DataplaneCounter}s for one lane. Each counter has one writing thread (the lane's), so an
 * increment is a plain read plus an ordered write: no lock, no CAS, no allocation; readers on other threads see
 * every increment eventually and sum the lanes.
 */
public final class DataplaneCounters {
    private static final DataplaneCounter[] ALL = DataplaneCounter.values();
    // Packed, not a cache line apart: one writing thread per lane and an array per lane, so no two writers share a
    // line; a metrics scrape now and then costs the writer a miss, not a steady stream of them.
    private final AtomicLongArray values = new AtomicLongArray(ALL.length);

    void increment(final DataplaneCounter counter) {
        add(counter, 1);
    }

    void add(final DataplaneCounter counter, final long delta) {
        final int index = counter.ordinal();
        values.lazySet(index, values.get(index) + delta);
    }

    long get(final DataplaneCounter counter) {
        return values.get(counter.ordinal());
    }

    /** The sum of {@code counter} over every lane. */
    public static long sum(final List<DataplaneCounters> lanes, final DataplaneCounter counter) {
        long total = 0;
        for (final DataplaneCounters lane : lanes) {
            total += lane.get(counter);
        }
        return total;
    }

    /** Prometheus text exposition of every counter summed over the lanes, one TYPE line per family. */
    public static String toPrometheusText(final List<DataplaneCounters> lanes) {
        final Map<String, StringBuilder> families = new LinkedHashMap<>();
        for (final DataplaneCounter counter : ALL) {
            final String series = counter.series();
            final int brace = series.indexOf('{');
            final String family = brace < 0 ? series : series.substring(0, brace);
            families.computeIfAbsent(family, name -> new StringBuilder("# TYPE ").append(name).append(" counter\n"))
                .append(series).append(' ').append(sum(lanes, counter)).append('\n');
        }
        final StringBuilder text = new StringBuilder(4096);
        families.values().forEach(text::append);
        return text.toString();
    }
}
