/**
 * The node's control side of weftd, off the packet path: {@link io.weft.dataplane.node.Weftd} parses the flags
 * ({@code WeftdConfig}) and starts a {@code Daemon}, which takes the lease from a registry, makes flannel0 and its
 * route ({@code OverlayLink}), writes subnet.env and the CNI conflist, installs the --ip-masq rules, starts the
 * lanes, serves /metrics, /healthz and /readyz, and repairs or exits when a lane, the device or the route is lost.
 */
package io.weft.dataplane.node;
