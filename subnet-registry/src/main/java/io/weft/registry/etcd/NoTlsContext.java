package io.weft.registry.etcd;

import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The TLS context of an etcd client that speaks plain HTTP only (every endpoint http://, no TLS files). The JDK's
 * HttpClient takes a context when it is built; any of the JDK's own, even one never initialised, loads every security
 * provider and tries every cipher suite as its class initialises, on every start (docs/footprint.md). This one loads
 * nothing and refuses to be used, naming why.
 */
final class NoTlsContext extends SSLContext {
    NoTlsContext() {
        super(new Refusing(), null, "none");
    }

    private static final class Refusing extends SSLContextSpi {
        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("this etcd client speaks plain HTTP: TLS takes https://"
                + " endpoints or --etcd-cafile/--etcd-certfile");
        }

        @Override
        protected void engineInit(final KeyManager[] keys, final TrustManager[] trust, final SecureRandom random) {
            throw refused();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(final String host, final int port) {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw refused();
        }
    }
}
