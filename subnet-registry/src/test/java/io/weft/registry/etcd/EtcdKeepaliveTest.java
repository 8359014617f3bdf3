package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.Test;

/**
 * The client's keepalive pings against etcd's enforcement: etcd answers pings it does not allow with GOAWAY
 * ENHANCE_YOUR_CALM "too_many_pings" and closes the connection, which gRPC logs and answers by pinging less.
 */
class EtcdKeepaliveTest {
    /** gRPC's floor for the keepalive time, so that three pings fit in the test; weftd's is longer. */
    private static final Duration FAST_KEEPALIVE = Duration.ofSeconds(10);
    /** etcd closes a connection on the third ping it does not allow: four intervals are more than enough. */
    private static final Duration IDLE = FAST_KEEPALIVE.multipliedBy(4);

    @Test
    void shouldKeepAnIdleConnectionWithoutBeingToldToCalmDown() throws Exception {
        final Logger grpc = Logger.getLogger("io.grpc");
        final List<String> warnings = new CopyOnWriteArrayList<>();
        final Handler recorder = new Handler() {
            @Override
            public void publish(final LogRecord record) {
                warnings.add(record.getLoggerName() + ": " + record.getMessage() + " " +
                    List.of(record.getParameters() == null ? new Object[0] : record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        final EtcdServer etcd = EtcdTestKit.sharedEtcd();
        final ScheduledExecutorService executor = EtcdClients.newExecutor();
        grpc.addHandler(recorder);
        try (Client client = EtcdClients.builder(EtcdTestKit.config(etcd, EtcdTestKit.uniquePrefix()), executor)
            .keepaliveTime(FAST_KEEPALIVE).build()) {
            // One request connects; then the connection carries no call, as weftd's between renewals.
            client.getKVClient().get(EtcdTestKit.bytes("/anything")).get(5, TimeUnit.SECONDS);
            Thread.sleep(IDLE.toMillis());
            client.getKVClient().get(EtcdTestKit.bytes("/anything")).get(5, TimeUnit.SECONDS);
        } finally {
            grpc.removeHandler(recorder);
            executor.shutdownNow();
        }

        assertThat(warnings).noneMatch(line -> line.contains("GOAWAY") || line.contains("keepalive"));
    }

    @Test
    void shouldPingNoMoreOftenThanEtcdAllowsByDefault() {
        // etcd's --grpc-keepalive-min-time defaults to 5 s; the margin leaves room for an operator who raises it.
        assertThat(EtcdClients.KEEPALIVE_TIME).isGreaterThanOrEqualTo(Duration.ofSeconds(5).multipliedBy(4));
    }
}
