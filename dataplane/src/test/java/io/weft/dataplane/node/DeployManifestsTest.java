package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.weft.registry.NetworkConfig;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The manifests and kind config in deploy/, checked on paper (no Docker engine here to run kind): they parse, weftd's
 * arguments are flags weftd takes, and the pieces refer to each other consistently (RBAC, the etcd address and its
 * certificates, the network, the mounts weftd reads and writes, the probes). ManifestSchemaTest checks the fields
 * against Kubernetes' schema.
 */
class DeployManifestsTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final String NAMESPACE = "kube-weft";
    private static final String NODE_IP = "172.18.0.2";

    private static final String ETCD_TLS_DIR = "/etc/weft/tls";

    private final List<JsonNode> documents = readAll(DEPLOY.resolve("kube-weft-etcd.yaml"));
    private final List<JsonNode> kubeDocuments = readAll(DEPLOY.resolve("kube-weft.yaml"));
    private final JsonNode kind = readAll(DEPLOY.resolve("kind-config.yaml")).get(0);

    @Test
    void shouldDeclareEveryObjectInOneNamespace() {
        assertThat(documents.stream().map(d -> d.path("kind").asText()))
            .containsExactly("Namespace", "ConfigMap", "Service", "Deployment", "Job", "DaemonSet");
        assertThat(documents.get(0).path("metadata").path("name").asText()).isEqualTo(NAMESPACE);
        documents.stream().skip(1).forEach(d ->
            assertThat(d.path("metadata").path("namespace").asText()).as(d.path("kind").asText()).isEqualTo(NAMESPACE));
    }

    @Test
    void shouldGiveFlannelsUdpNetworkConfigMatchingKindsPodSubnet() throws IOException {
        final NetworkConfig network = NetworkConfig.parse(
            new ObjectMapper().readTree(object("ConfigMap").path("data").path("net-conf.json").asText()));

        assertThat(network.backendPort()).isEqualTo(NetworkConfig.DEFAULT_BACKEND_PORT);
        assertThat(network.network()).isEqualTo(Ipv4Prefix.parse(kind.path("networking").path("podSubnet").asText()));
        assertThat(kind.path("networking").path("disableDefaultCNI").asBoolean()).isTrue();
        assertThat(kind.path("nodes").size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldRunWeftdWithFlagsItTakesOnTheHostNetwork() {
        final JsonNode pod = object("DaemonSet").path("spec").path("template").path("spec");
        final JsonNode weftd = container(pod.path("containers"), "weftd");

        final WeftdConfig config = weftdConfig(weftd);

        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(weftd.path("securityContext").path("privileged").asBoolean()).isTrue();
        assertThat(env(weftd, "NODE_IP").path("valueFrom").path("fieldRef").path("fieldPath").asText())
            .isEqualTo("status.hostIP");
        assertThat(config.publicIp()).isEqualTo(Ipv4Addresses.parse(NODE_IP));
        final JsonNode readiness = weftd.path("readinessProbe").path("httpGet");
        assertThat(readiness.path("path").asText()).isEqualTo("/readyz");
        assertThat(readiness.path("port").asInt()).isEqualTo(config.healthzPort());
        assertThat(Ipv4Addresses.parse(readiness.path("host").asText())).isEqualTo(config.healthzIp());
        assertThat(container(pod.path("initContainers"), "install-cni-plugins").path("image").asText())
            .isEqualTo(weftd.path("image").asText());
    }

    /** A node's new pod must start while the old one forwards, and the old one must not come back after. */
    @Test
    void shouldUpdateEachNodeByAHandOverFromTheRunningPod() {
        final JsonNode spec = object("DaemonSet").path("spec");
        final JsonNode update = spec.path("updateStrategy");
        final JsonNode weftd = container(spec.path("template").path("spec").path("containers"), "weftd");

        assertThat(update.path("type").asText()).isEqualTo("RollingUpdate");
        assertThat(update.path("rollingUpdate").path("maxSurge").asInt()).isEqualTo(1);
        assertThat(update.path("rollingUpdate").path("maxUnavailable").asInt()).isZero();
        assertThat(weftdConfig(weftd).exitAfterHandover()).isFalse();
    }

    @Test
    void shouldGiveWeftdAndTheConfigJobClientCertificatesFromTheSecretEtcdTrusts() {
        final JsonNode weftdPod = object("DaemonSet").path("spec").path("template").path("spec");
        final WeftdConfig config = weftdConfig(container(weftdPod.path("containers"), "weftd"));
        final JsonNode jobPod = object("Job").path("spec").path("template").path("spec");
        final JsonNode etcdPod = object("Deployment").path("spec").path("template").path("spec");

        assertThat(List.of(config.etcdCaFile(), config.etcdCertFile(), config.etcdKeyFile())).containsExactly(
            ETCD_TLS_DIR + "/ca.crt", ETCD_TLS_DIR + "/client.crt", ETCD_TLS_DIR + "/client.key");
        assertThat(container(jobPod.path("containers"), "put-config").path("command").toString()).contains(
            "--cacert=" + ETCD_TLS_DIR + "/ca.crt", "--cert=" + ETCD_TLS_DIR + "/client.crt",
            "--key=" + ETCD_TLS_DIR + "/client.key");
        for (final JsonNode pod : List.of(weftdPod, jobPod, etcdPod)) {
            final JsonNode tls = container(pod.path("volumes"), "tls");
            assertThat(tls.path("secret").path("secretName").asText()).isEqualTo("weft-etcd-tls");
            assertThat(pod.path("containers").get(0).path("volumeMounts").toString())
                .contains("\"mountPath\":\"" + ETCD_TLS_DIR + "\"");
        }
    }

    @Test
    void shouldDeclareTheKubeSubnetManagerInstallInKubeFlannelsOrder() {
        assertThat(kubeDocuments.stream().map(d -> d.path("kind").asText())).containsExactly("Namespace",
            "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet");
        kubeDocuments.stream().filter(d -> !d.path("kind").asText().matches("Namespace|ClusterRole.*")).forEach(d ->
            assertThat(d.path("metadata").path("namespace").asText()).as(d.path("kind").asText()).isEqualTo(NAMESPACE));
    }

    @Test
    void shouldGrantWeftdsServiceAccountWhatTheKubeRegistryCalls() {
        final JsonNode pod = kubeObject("DaemonSet").path("spec").path("template").path("spec");
        final JsonNode binding = kubeObject("ClusterRoleBinding");
        final JsonNode subject = binding.path("subjects").get(0);
        final List<String> grants = new ArrayList<>();
        for (final JsonNode rule : kubeObject("ClusterRole").path("rules")) {
            for (final JsonNode resource : rule.path("resources")) {
                rule.path("verbs").forEach(verb -> grants.add(resource.asText() + " " + verb.asText()));
            }
        }

        assertThat(grants).containsExactlyInAnyOrder("nodes get", "nodes list", "nodes watch", "nodes/status patch");
        assertThat(binding.path("roleRef").path("name").asText())
            .isEqualTo(kubeObject("ClusterRole").path("metadata").path("name").asText());
        assertThat(subject.path("kind").asText()).isEqualTo("ServiceAccount");
        assertThat(subject.path("name").asText()).isEqualTo(pod.path("serviceAccountName").asText())
            .isEqualTo(kubeObject("ServiceAccount").path("metadata").path("name").asText());
        assertThat(subject.path("namespace").asText()).isEqualTo(NAMESPACE);
    }

    @Test
    void shouldRunWeftdAsTheKubeSubnetManagerOfItsNode() throws IOException {
        final JsonNode daemonSet = kubeObject("DaemonSet").path("spec");
        final JsonNode pod = daemonSet.path("template").path("spec");
        final JsonNode weftd = container(pod.path("containers"), "weftd");
        final WeftdConfig config = weftdConfig(weftd);
        final JsonNode netConfVolume = container(pod.path("volumes"), "weft-network");
        final JsonNode netConfMount = container(weftd.path("volumeMounts"), "weft-network");
        final NetworkConfig network = NetworkConfig.parse(new ObjectMapper().readTree(
            kubeObject("ConfigMap").path("data").path(config.kube().netConfPath().getFileName().toString()).asText()));

        assertThat(config.kube()).isNotNull();
        assertThat(config.kube().nodeName()).isEqualTo("kind-worker");
        assertThat(env(weftd, "NODE_NAME").path("valueFrom").path("fieldRef").path("fieldPath").asText())
            .isEqualTo("spec.nodeName");
        assertThat(config.ipMasq()).isTrue();
        assertThat(config.kube().netConfPath().getParent().toString())
            .isEqualTo(netConfMount.path("mountPath").asText());
        assertThat(netConfVolume.path("configMap").path("name").asText())
            .isEqualTo(kubeObject("ConfigMap").path("metadata").path("name").asText());
        assertThat(network.network()).isEqualTo(Ipv4Prefix.parse(kind.path("networking").path("podSubnet").asText()));
        assertThat(network.backendPort()).isEqualTo(NetworkConfig.DEFAULT_BACKEND_PORT);
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(daemonSet.path("updateStrategy").path("rollingUpdate").path("maxSurge").asInt()).isEqualTo(1);
        assertThat(daemonSet.path("updateStrategy").path("rollingUpdate").path("maxUnavailable").asInt()).isZero();
        assertThat(config.exitAfterHandover()).isFalse();
    }

    @Test
    void shouldProbeLivenessOnHealthzAndReadinessOnReadyzWhereWeftdServesThem() {
        final JsonNode weftd = container(kubeObject("DaemonSet").path("spec").path("template").path("spec")
            .path("containers"), "weftd");
        final WeftdConfig config = weftdConfig(weftd);

        for (final String probe : List.of("livenessProbe", "readinessProbe")) {
            final JsonNode get = weftd.path(probe).path("httpGet");
            assertThat(get.path("port").asInt()).as(probe).isEqualTo(config.healthzPort());
            assertThat(Ipv4Addresses.parse(get.path("host").asText())).as(probe).isEqualTo(config.healthzIp());
        }
        assertThat(weftd.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(weftd.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    }

    @Test
    void shouldMountTheHostPathsTheKubeSubnetManagerUses() {
        final JsonNode pod = kubeObject("DaemonSet").path("spec").path("template").path("spec");
        final JsonNode weftd = container(pod.path("containers"), "weftd");
        final WeftdConfig config = weftdConfig(weftd);
        final List<String> hostPaths = new ArrayList<>();
        for (final JsonNode container : concat(pod.path("containers"), pod.path("initContainers"))) {
            for (final JsonNode mount : container.path("volumeMounts")) {
                final JsonNode hostPath = container(pod.path("volumes"), mount.path("name").asText()).path("hostPath");
                if (!hostPath.isMissingNode()) {
                    assertThat(mount.path("mountPath").asText()).isEqualTo(hostPath.path("path").asText());
                    hostPaths.add(hostPath.path("path").asText());
                }
            }
        }

        assertThat(hostPaths).containsExactlyInAnyOrder(config.subnetFile().getParent().toString(),
            config.cniConfDir().toString(), "/dev/net/tun", "/run/xtables.lock", "/opt/cni/bin");
        assertThat(weftd.path("securityContext").path("privileged").asBoolean()).isTrue();
        assertThat(weftd.path("resources").path("requests").path("memory").asText()).isNotEmpty();
        assertThat(weftd.path("resources").path("requests").path("cpu").asText()).isNotEmpty();
    }

    @Test
    void shouldMountTheHostDirectoriesWeftdWritesInto() {
        final JsonNode pod = object("DaemonSet").path("spec").path("template").path("spec");
        final JsonNode weftd = container(pod.path("containers"), "weftd");
        final WeftdConfig config = weftdConfig(weftd);
        final Set<String> volumes = names(pod.path("volumes"));
        final Set<String> mountPaths = new HashSet<>();
        for (final JsonNode container : concat(pod.path("containers"), pod.path("initContainers"))) {
            for (final JsonNode mount : container.path("volumeMounts")) {
                assertThat(volumes).as("volume of mount %s", mount).contains(mount.path("name").asText());
                mountPaths.add(mount.path("mountPath").asText());
            }
        }

        assertThat(mountPaths).contains(config.subnetFile().getParent().toString(), config.cniConfDir().toString(),
            "/dev/net/tun", "/opt/cni/bin");
        for (final JsonNode volume : pod.path("volumes")) {
            final String source = volume.has("secret") ? volume.path("secret").path("secretName").asText()
                : volume.path("hostPath").path("path").asText();
            assertThat(source).as(volume.path("name").asText()).isNotEmpty();
        }
    }

    @Test
    void shouldReachEtcdAtTheServicesFixedClusterIpFromWeftdAndTheConfigJob() {
        final JsonNode service = object("Service").path("spec");
        final String endpoint = "https://" + service.path("clusterIP").asText() + ":" +
            service.path("ports").get(0).path("port").asInt();
        final JsonNode weftd = container(object("DaemonSet").path("spec").path("template").path("spec")
            .path("containers"), "weftd");
        final WeftdConfig config = weftdConfig(weftd);
        final JsonNode etcdPod = object("Deployment").path("spec").path("template");
        final JsonNode etcd = container(etcdPod.path("spec").path("containers"), "etcd");
        final String job = container(object("Job").path("spec").path("template").path("spec").path("containers"),
            "put-config").path("command").toString();

        assertThat(config.etcdEndpoints()).containsExactly(endpoint);
        assertThat(config.etcdPrefix()).isEqualTo("/coreos.com/network");
        assertThat(job).contains("--endpoints=" + endpoint, config.etcdPrefix() + "/config");
        assertThat(Ipv4Prefix.parse(kind.path("networking").path("serviceSubnet").asText())
            .contains(Ipv4Addresses.parse(service.path("clusterIP").asText()))).isTrue();
        assertThat(etcd.path("command").toString())
            .contains("--listen-client-urls=https://0.0.0.0:" + service.path("ports").get(0).path("targetPort").asInt(),
                "--client-cert-auth=true", "--trusted-ca-file=" + ETCD_TLS_DIR + "/ca.crt");
        service.path("selector").properties().forEach(label ->
            assertThat(etcdPod.path("metadata").path("labels").path(label.getKey()).asText())
                .isEqualTo(label.getValue().asText()));
        assertThat(etcdPod.path("spec").path("hostNetwork").asBoolean()).isTrue();
        assertThat(etcdPod.path("spec").path("tolerations").toString()).as("schedules before any node is Ready")
            .contains("node.kubernetes.io/not-ready");
    }

    @Test
    void shouldSelectTheLabelsEachWorkloadGivesItsPods() {
        for (final String kindName : List.of("Deployment", "DaemonSet")) {
            final JsonNode spec = object(kindName).path("spec");
            spec.path("selector").path("matchLabels").properties().forEach(label ->
                assertThat(spec.path("template").path("metadata").path("labels").path(label.getKey()).asText())
                    .as(kindName).isEqualTo(label.getValue().asText()));
        }
    }

    @Test
    void shouldBuildTheImageFromTheJarTheBuildMakes() throws IOException {
        final String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));

        assertThat(dockerfile).contains("COPY dataplane/target/weftd.jar dataplane/target/weftd.jvm ",
            "containernetworking-plugins", "-XX:DumpLoadedClassList=/tmp/weftd-loaded.classlist",
            ClassArchiveTraining.class.getName(), "-Xshare:dump -XX:SharedClassListFile=/tmp/weftd-loaded.classlist",
            "-XX:SharedArchiveFile=/opt/weft/weftd.jsa",
            "\"@/opt/weft/weftd.jvm\", \"-XX:SharedArchiveFile=/opt/weft/weftd.jsa\", \"-jar\","
                + " \"/opt/weft/weftd.jar\"");
        assertThat(Files.readString(DEPLOY.resolve("kind-config.yaml")))
            .contains(object("DaemonSet").path("spec").path("template").path("spec").path("containers").get(0)
                .path("image").asText());
    }

    /** weftd's flags as kubelet passes them, $(NODE_IP) expanded to a kind node's address, on node kind-worker. */
    private static WeftdConfig weftdConfig(final JsonNode weftd) {
        return WeftdConfig.parse(StreamSupport.stream(weftd.path("args").spliterator(), false).map(JsonNode::asText)
            .map(arg -> arg.replace("$(NODE_IP)", NODE_IP)).toArray(String[]::new), Map.of("NODE_NAME", "kind-worker"));
    }

    private JsonNode object(final String kindName) {
        return documents.stream().filter(d -> kindName.equals(d.path("kind").asText())).findFirst().orElseThrow();
    }

    private JsonNode kubeObject(final String kindName) {
        return kubeDocuments.stream().filter(d -> kindName.equals(d.path("kind").asText())).findFirst().orElseThrow();
    }

    private static JsonNode container(final JsonNode containers, final String name) {
        return StreamSupport.stream(containers.spliterator(), false)
            .filter(c -> name.equals(c.path("name").asText())).findFirst().orElseThrow();
    }

    private static JsonNode env(final JsonNode container, final String name) {
        return container(container.path("env"), name);
    }

    private static Set<String> names(final JsonNode list) {
        return StreamSupport.stream(list.spliterator(), false).map(n -> n.path("name").asText())
            .collect(Collectors.toSet());
    }

    private static List<JsonNode> concat(final JsonNode first, final JsonNode second) {
        final List<JsonNode> all = new ArrayList<>();
        first.forEach(all::add);
        second.forEach(all::add);
        return all;
    }

    private static List<JsonNode> readAll(final Path file) {
        try (MappingIterator<JsonNode> iterator = new YAMLMapper(new YAMLFactory()).readerFor(JsonNode.class)
            .readValues(Files.readString(file))) {
            final List<JsonNode> all = new ArrayList<>();
            while (iterator.hasNext()) {
                final JsonNode document = iterator.next();
                if (document != null && !document.isEmpty()) {
                    all.add(document);
                }
            }
            return all;
        } catch (final IOException e) {
            throw new IllegalStateException("cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
