package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in deploy/ against Kubernetes' own schema, as fabric8's model classes (generated from the
 * API server's OpenAPI) hold it: every document must be a kind the model knows at its apiVersion, and every field
 * must be one the model has with a value of its type. The model keeps a field it does not know in its objects'
 * additional properties rather than refusing it, so the check walks each object for them: a misspelt field, which
 * kubectl would drop with a warning and a DaemonSet would run without, fails here.
 */
class ManifestSchemaTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    private final KubernetesSerialization serialization = new KubernetesSerialization();

    @Test
    void shouldHoldOnlyKnownKindsAndFieldsInEveryManifest() throws IOException {
        for (final String manifest : List.of("kube-weft.yaml", "kube-weft-etcd.yaml")) {
            final List<String> problems = problems(Files.readString(DEPLOY.resolve(manifest)));

            assertThat(problems).as(manifest).isEmpty();
        }
    }

    @Test
    void shouldReportAMisspeltFieldAndWhereItIs() throws IOException {
        final String manifest = Files.readString(DEPLOY.resolve("kube-weft.yaml"))
            .replace("      hostNetwork: true", "      hostNetwrok: true");

        assertThat(problems(manifest)).containsExactly("DaemonSet weftd: spec.template.spec.hostNetwrok");
    }

    @Test
    void shouldReportAKindUnknownAtItsApiVersion() {
        final String manifest = "apiVersion: apps/v1\nkind: DeamonSet\nmetadata:\n  name: weftd\n";

        assertThat(problems(manifest)).containsExactly("DeamonSet weftd: not a kind of apps/v1");
    }

    @Test
    void shouldReportAValueOfTheWrongType() {
        final String manifest = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: weftd\n" +
            "automountServiceAccountToken: sometimes\n";

        assertThat(problems(manifest)).singleElement().asString().startsWith("ServiceAccount ?: ");
    }

    /** One line per document or field the model does not know, with the document's kind, name and field path. */
    private List<String> problems(final String manifest) {
        final List<String> problems = new ArrayList<>();
        for (final String document : manifest.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
                continue;
            }
            final Object parsed;
            try {
                parsed = serialization.unmarshal(document);
            } catch (final RuntimeException e) {
                problems.add(kindOf(document) + " ?: " + e.getMessage());
                continue;
            }
            final HasMetadata resource = (HasMetadata) parsed;
            final String name = resource.getKind() + " " + resource.getMetadata().getName();
            if (resource instanceof GenericKubernetesResource) {
                problems.add(name + ": not a kind of " + resource.getApiVersion());
                continue;
            }
            unknownFields(resource, "", problems, name);
        }
        return problems;
    }

    private static String kindOf(final String document) {
        return document.lines().filter(line -> line.startsWith("kind:")).map(line -> line.substring(5).trim())
            .findFirst().orElse("?");
    }

    /** Walks the model's getters; additional properties are the fields the model has no property for. */
    private static void unknownFields(final Object value, final String path, final List<String> problems,
                                      final String document) {
        if (value instanceof Collection<?> list) {
            int index = 0;
            for (final Object element : list) {
                unknownFields(element, path + "[" + index++ + "]", problems, document);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, element) -> unknownFields(element, path + "." + key, problems, document));
            return;
        }
        if (value == null || !value.getClass().getPackageName().startsWith(MODEL_PACKAGE)) {
            return;
        }
        for (final Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) ||
                !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            final Object property = invoke(getter, value);
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) property).keySet().forEach(key ->
                    problems.add(document + ": " + (path.isEmpty() ? "" : path.substring(1) + ".") + key));
            } else {
                final String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                unknownFields(property, path + "." + field, problems, document);
            }
        }
    }

    private static Object invoke(final Method getter, final Object target) {
        try {
            return getter.invoke(target);
        } catch (final IllegalAccessException | InvocationTargetException e) {
            return null;
        }
    }
}
