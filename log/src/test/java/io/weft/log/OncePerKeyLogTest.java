package io.weft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class OncePerKeyLogTest {
    @Test
    void shouldLogAProblemOncePerKeyAndAgainOnlyWhenItChangesOrWasCleared() {
        final List<String> lines = new ArrayList<>();
        final OncePerKeyLog log = new OncePerKeyLog(lines::add);

        assertThat(log.warn("a", "a is bad")).isTrue();
        assertThat(log.warn("a", "a is bad")).isFalse();
        assertThat(log.warn("b", "b is bad")).isTrue();
        assertThat(log.warn("a", "a is worse")).isTrue();
        log.clear("a");
        assertThat(log.warn("a", "a is worse")).isTrue();
        assertThat(lines).containsExactly("a is bad", "b is bad", "a is worse", "a is worse");
    }

    @Test
    void shouldForgetTheOldestKeysWhenManyKeysAreBad() {
        final OncePerKeyLog log = new OncePerKeyLog(line -> {
        });
        for (int i = 0; i < 5_000; i++) {
            log.warn("key" + i, "bad");
        }

        assertThat(log.warn("key0", "bad")).as("forgotten").isTrue();
        assertThat(log.warn("key4999", "bad")).as("remembered").isFalse();
    }
}
