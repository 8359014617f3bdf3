package io.weft.registry.kube;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.model.jackson.Jackson2JdkTypesModule;
import tools.jackson.databind.json.JsonMapper;

/**
 * How weftd's client reads what the API server sends: as fabric8's own (the same mapper its default builds), except
 * that a node's images, its volumes and every object's managed fields are skipped as they are parsed, never built.
 * They are most of a real node's size and weftd reads none of them, yet the informer's first list (and every
 * relist) holds every node of the cluster at once before {@link LeanNodeStore} drops them: built, they took a weftd
 * past its heap cap in clusters of some thousands of nodes (docs/kubernetes.md). The conditions stay: {@link OwnNode}
 * reads NetworkUnavailable among them. Nothing weftd sends is built from what it read (its writes are patches), so
 * nothing skipped here can be written back empty.
 */
final class NodeReading {
    private NodeReading() {
    }

    static KubernetesSerialization serialization() {
        return new KubernetesSerialization(JsonMapper.builderWithJackson2Defaults()
            .addModule(new Jackson2JdkTypesModule())
            .addMixIn(NodeStatus.class, SkipImagesAndVolumes.class)
            .addMixIn(ObjectMeta.class, SkipManagedFields.class)
            .build(), true);
    }

    @JsonIgnoreProperties({"images", "volumesAttached", "volumesInUse"})
    private abstract static class SkipImagesAndVolumes {
    }

    @JsonIgnoreProperties({"managedFields"})
    private abstract static class SkipManagedFields {
    }
}
