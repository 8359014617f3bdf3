package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UnderlayTest {

    @Test
    void shouldAcceptNodeAddressesWhenInsideTheUnderlay() {
        for (String ip : new String[] {"192.168.213.1", "192.168.213.99", "192.168.213.253"}) {
            assertThatCode(() -> Underlay.checkNodeAddress(ip)).as(ip).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldRejectAddressesWhenOutsideTheUnderlayOrReserved() {
        for (String ip : new String[] {"10.0.0.1", "192.168.214.1", "192.168.213.254", "192.168.213.0",
            "192.168.213.255", "192.168.213.01", "192.168.213.x", "192.168.213.1/24", "192.168.2131"}) {
            assertThatThrownBy(() -> Underlay.checkNodeAddress(ip)).as(ip).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
