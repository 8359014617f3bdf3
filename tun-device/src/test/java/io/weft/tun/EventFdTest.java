package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class EventFdTest {
    @Test
    void shouldWakeThreadBlockedInEpollWhenSignalled() throws Exception {
        try (EventFd wakeup = new EventFd(); Epoll epoll = new Epoll()) {
            epoll.add(wakeup.fd(), Epoll.EPOLLIN);
            final AtomicInteger ready = new AtomicInteger(-100);
            final CountDownLatch started = new CountDownLatch(1);
            final Thread waiter = new Thread(() -> {
                started.countDown();
                ready.set(epoll.await(-1));
            });
            waiter.start();
            started.await();
            Thread.sleep(50);
            assertThat(waiter.isAlive()).as("blocked until signalled").isTrue();

            wakeup.signal();
            waiter.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(waiter.isAlive()).isFalse();
            assertThat(ready.get()).isEqualTo(1);
            assertThat(wakeup.drain()).isTrue();
            assertThat(wakeup.drain()).as("drained").isFalse();
            assertThat(epoll.await(0)).isZero();
        }
    }
}
