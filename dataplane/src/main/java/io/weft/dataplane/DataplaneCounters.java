package io.weft.dataplane;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The values of {@link DataplaneCounter}s. Each counter has one writing thread (its direction's agent), so an
 * increment is a plain read plus an ordered write: no lock, no CAS, no allocation; readers on other threads see
 * every increment eventually.
 */
final class DataplaneCounters
{
    private static final DataplaneCounter[] ALL = DataplaneCounter.values();
    // Spread the counters a cache line apart so the two directions' agents never share a line.
    private static final int STRIDE = 8;

    private final AtomicLongArray values = new AtomicLongArray(ALL.length * STRIDE);

    void increment(final DataplaneCounter counter)
    {
        add(counter, 1);
    }

    void add(final DataplaneCounter counter, final long delta)
    {
        final int index = counter.ordinal() * STRIDE;
        values.lazySet(index, values.get(index) + delta);
    }

    long get(final DataplaneCounter counter)
    {
        return values.get(counter.ordinal() * STRIDE);
    }

    /** Prometheus text exposition: series grouped under one TYPE line per family, as the format requires. */
    String toPrometheusText()
    {
        final Map<String, StringBuilder> families = new LinkedHashMap<>();
        for (final DataplaneCounter counter : ALL)
        {
            final String series = counter.series();
            final int brace = series.indexOf('{');
            final String family = brace < 0 ? series : series.substring(0, brace);
            families.computeIfAbsent(family, name -> new StringBuilder("# TYPE ").append(name).append(" counter\n"))
                .append(series).append(' ').append(get(counter)).append('\n');
        }
        final StringBuilder text = new StringBuilder(4096);
        families.values().forEach(text::append);
        return text.toString();
    }
}
