package io.weft.registry.etcd;

import java.util.List;

/** Opens a plain-HTTP etcd client and closes it, nothing more: run in a JVM of its own by {@link NoTlsContextTest}. */
final class PlainClientProbe {
    private PlainClientProbe() {
    }

    public static void main(final String[] args) throws Exception {
        EtcdHttp.open(EtcdRegistryConfig.defaults(List.of("http://127.0.0.1:1"))).close();
    }
}
