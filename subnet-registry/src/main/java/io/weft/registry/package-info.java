/**
 * Leases, as flannel keeps them: the {@code LeaseRegistry} interface weftd reads and writes through, the network
 * config, the lease value codec, subnet.env, and the static lease file. The etcd implementation lives in
 * {@code io.weft.registry.etcd}, the only package that imports jetcd; the Kubernetes one (flanneld's kube subnet
 * manager) in {@code io.weft.registry.kube}, the only package that imports the fabric8 client.
 */
package io.weft.registry;
