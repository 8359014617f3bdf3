/**
 * weftd, the node daemon: a drop-in for flanneld's {@code udp} backend. Three packages, dependencies pointing down:
 * <ul>
 *   <li>{@link io.weft.dataplane.node}: the node's control: flags, the lease and its registry, flannel0's link and
 *       route, subnet.env, the CNI conflist, --ip-masq rules, /metrics, /healthz and /readyz, and supervision of
 *       the lanes;
 *   <li>{@link io.weft.dataplane.lane}: the packet threads: one lane per TUN queue, reading flannel0 and sending
 *       datagrams, receiving datagrams, checking them and writing flannel0; the peer table the route updater feeds
 *       and the counters every drop lands in;
 *   <li>{@link io.weft.dataplane.packet}: packet formats and transformations over off-heap buffers, without I/O:
 *       IPv4, TCP and virtio headers, checksums, TSO splitting, GRO coalescing, ICMP unreachable replies.
 * </ul>
 */
package io.weft.dataplane;
