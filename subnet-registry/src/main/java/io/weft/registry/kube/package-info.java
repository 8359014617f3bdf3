/**
 * flanneld's Kubernetes subnet manager ({@code --kube-subnet-mgr}): a node's subnet is its {@code spec.podCIDR},
 * node attributes live in flannel's node annotations, every node is followed with an informer. The only package in
 * weft that imports the Kubernetes client (fabric8, on the JDK HTTP client).
 */
package io.weft.registry.kube;
