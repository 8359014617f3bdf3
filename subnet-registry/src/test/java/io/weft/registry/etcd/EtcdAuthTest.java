package io.weft.registry.etcd;

import static io.weft.registry.etcd.EtcdTestKit.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.weft.registry.Lease;
import io.weft.registry.RegistryStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --etcd-username} and {@code --etcd-password} against a real etcd with authentication enabled: the registry
 * signs in, acquires and watches; a wrong password is refused with etcd's reason; an etcd that forgot the token
 * gets a new sign-in.
 */
class EtcdAuthTest {
    private static final String PREFIX = "/auth.test/network";
    private static final String PASSWORD = "weft-test-password";

    @TempDir
    Path directory;
    private EtcdServer etcd;
    private final HttpClient http = HttpClient.newHttpClient();
    private String token;

    @BeforeEach
    void startWithAuthentication() throws Exception {
        etcd = EtcdServer.startOnLoopback(directory.resolve("etcd"));
        post("v3/auth/role/add", "{\"name\":\"root\"}");
        post("v3/auth/user/add", "{\"name\":\"root\",\"password\":\"" + PASSWORD + "\"}");
        post("v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}");
        post("v3/auth/enable", "{}");
        token = post("v3/auth/authenticate", "{\"name\":\"root\",\"password\":\"" + PASSWORD + "\"}")
            .replaceAll("(?s).*\"token\":\"([^\"]+)\".*", "$1");
        post("v3/kv/put", "{\"key\":\"" + base64(PREFIX + "/config") + "\",\"value\":\"" +
            base64(EtcdTestKit.FLANNEL_CONFIG) + "\"}");
    }

    @AfterEach
    void stop() {
        etcd.close();
    }

    @Test
    void shouldSignInAcquireAndWatch() throws Exception {
        try (EtcdLeaseRegistry registry = EtcdLeaseRegistry.open(config("root", PASSWORD))) {
            assertThat(registry.awaitNetworkConfig().network().toString()).isEqualTo("10.244.0.0/16");
            final Lease own = registry.acquire(ip("192.168.100.1"), null);
            final EtcdTestKit.RecordingListener listener = new EtcdTestKit.RecordingListener();
            registry.watch(listener);
            listener.awaitDelivery("with our lease", leases -> leases.contains(own));
            putAnotherNodesLease(own);
            listener.awaitDelivery("with the lease written by another", leases -> leases.size() == 2);
        }
    }

    @Test
    void shouldKeepTheWatchThroughItsRenewalWhenEtcdForgetsTheToken() throws Exception {
        try (EtcdLeaseRegistry registry = EtcdLeaseRegistry.open(config("root", PASSWORD))) {
            registry.watchQuietNanos(TimeUnit.SECONDS.toNanos(1));
            registry.awaitNetworkConfig();
            final Lease own = registry.acquire(ip("192.168.100.1"), null);
            final EtcdTestKit.RecordingListener listener = new EtcdTestKit.RecordingListener();
            registry.watch(listener);
            listener.awaitDelivery("with our lease", leases -> leases.contains(own));

            post("v3/auth/user/changepw", "{\"name\":\"root\",\"password\":\"" + PASSWORD + "\"}");
            token = null;
            token = post("v3/auth/authenticate", "{\"name\":\"root\",\"password\":\"" + PASSWORD + "\"}")
                .replaceAll("(?s).*\"token\":\"([^\"]+)\".*", "$1");
            // Past a renewal of the quiet watch, which the forgotten token would have had refused.
            Thread.sleep(2_500);
            putAnotherNodesLease(own);
            listener.awaitDelivery("with the lease written after the token was dropped", leases -> leases.size() == 2);
            assertThat(registry.stats().watchRestarts()).as("the watch renewed, not lost and read again").isZero();
        }
    }

    /**
     * Writes another node's lease, on a subnet other than ours: ours is chosen at random, and a fixed one was ours
     * now and then, its write then taken back by our own lease's keeper.
     */
    private void putAnotherNodesLease(final Lease own) throws Exception {
        final String subnet = own.subnet().toString().equals("10.244.7.0/24") ? "10.244.8.0-24" : "10.244.7.0-24";
        post("v3/kv/put", "{\"key\":\"" + base64(PREFIX + "/subnets/" + subnet) + "\",\"value\":\""
            + base64(EtcdTestKit.flannelValue("192.168.100.7")) + "\"}");
    }

    /** etcd cancels a watch asked for with a token it dropped as the watch is set up ("invalid auth token"). */
    @Test
    void shouldSignInAgainAfterEtcdRefusesAWatchForItsToken() throws Exception {
        final EtcdCalls calls = calls(PASSWORD);
        final BlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
        final EtcdWatch.Listener listener = new EtcdWatch.Listener() {
            @Override
            public void onAnswer(final EtcdWatch.Answer answer) {
                if (answer.created()) {
                    outcomes.add("created");
                }
            }

            @Override
            public void onEnd(final Throwable error) {
                outcomes.add(error == null ? "ended" : error);
            }
        };
        try {
            assertThat(calls.get(PREFIX + "/config")).isNotNull();
            post("v3/auth/user/changepw", "{\"name\":\"root\",\"password\":\"" + PASSWORD + "\"}");
            final EtcdWatch refused = calls.watch(PREFIX + "/", 1, listener);
            assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(EtcdHttp.RefusedException.class,
                e -> assertThat(e.code()).isEqualTo("UNAUTHENTICATED"));
            refused.close();
            final EtcdWatch again = calls.watch(PREFIX + "/", 1, listener);
            assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("created");
            again.close();
        } finally {
            calls.close();
        }
    }

    @Test
    void shouldSignInAgainWhenEtcdForgetsTheToken() throws Exception {
        final EtcdCalls calls = calls(PASSWORD);
        try {
            assertThat(calls.get(PREFIX + "/config")).isNotNull();
            // etcd drops a user's tokens when the password is set, as when they expire (--auth-token-ttl).
            post("v3/auth/user/changepw", "{\"name\":\"root\",\"password\":\"" + PASSWORD + "\"}");
            assertThat(calls.get(PREFIX + "/config")).isNotNull();
        } finally {
            calls.close();
        }
    }

    @Test
    void shouldRefuseAWrongPasswordWithEtcdsReasonAndNotAsEtcdUnreachable() throws Exception {
        final EtcdCalls calls = calls("not-the-password");
        try {
            assertThatThrownBy(() -> calls.get(PREFIX + "/config"))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(RetryableEtcdException.class)
                .hasMessageContaining("refused")
                .hasMessageContaining("authentication failed");
        } finally {
            calls.close();
        }
    }

    private EtcdCalls calls(final String password) throws IOException {
        final EtcdRegistryConfig config = config("root", password);
        return new EtcdCalls(EtcdHttp.open(config), config, new RegistryStats());
    }

    private EtcdRegistryConfig config(final String user, final String password) {
        final EtcdRegistryConfig defaults = EtcdTestKit.config(etcd, PREFIX);
        return new EtcdRegistryConfig(defaults.endpoints(), defaults.prefix(), null, null, null, user, password,
            defaults.leaseTtl(), defaults.renewMargin(), defaults.backoffInitial(), defaults.backoffMax(),
            defaults.requestTimeout(), defaults.configPoll());
    }

    private String post(final String path, final String json) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(etcd.endpoint() + "/" + path))
            .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", token);
        }
        final HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).as(path).doesNotContain("\"error\"");
        return response.body();
    }

    private static String base64(final String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
