package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.routing.Ipv4Prefix;
import org.junit.jupiter.api.Test;

class HandoverOfferTest {
    @Test
    void shouldDecodeWhatItEncodes() {
        final HandoverOffer offer = new HandoverOffer(4, "flannel0", Ipv4Prefix.parse("10.244.7.0/24"),
            0x8000_0000_0000_0001L, true, true, false, true, false, null, 0, 0, 0);
        final HandoverOffer withAuth = new HandoverOffer(1, "flannel0", Ipv4Prefix.parse("10.244.7.0/24"), 5, true,
            true, false, true, false, "a2V5K2tleStrZXkra2V5K2tleStrZXkra2V5K2tleSs=", 1_765_000_000_123L,
            (1L << 32) + 77, 128);

        assertThat(HandoverOffer.decode(offer.encode())).isEqualTo(offer);
        assertThat(HandoverOffer.decode(withAuth.encode())).isEqualTo(withAuth);
        assertThat(HandoverOffer.decode(offer.encode()).hasAuth()).isFalse();
    }

    @Test
    void shouldIgnoreWordsItDoesNotKnowWhenANewerWeftdSendsThem() {
        final HandoverOffer offer = HandoverOffer.decode("lanes=1 tun=weft0 subnet=10.244.1.0/24 lease=0 offload=false"
            + " tunTso=false tunUso=false udpGso=false udpGro=false someday=1");

        assertThat(offer.lanes()).isEqualTo(1);
        assertThat(offer.leaseId()).isZero();
        assertThat(offer.offloads().tunTso()).isFalse();
    }

    @Test
    void shouldNameWhatIsMissingOrMalformed() {
        assertThatThrownBy(() -> HandoverOffer.decode("lanes=1")).hasMessageContaining("without tun");
        assertThatThrownBy(() -> HandoverOffer.decode("lanes=x tun=a subnet=10.244.1.0/24 lease=0 offload=true"
            + " tunTso=true tunUso=true udpGso=true udpGro=true")).hasMessageContaining("malformed");
    }
}
