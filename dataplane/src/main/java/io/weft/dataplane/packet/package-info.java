/**
 * Packet formats and the transformations the lanes apply, over off-heap {@code UnsafeBuffer}s and without I/O:
 * flyweights for the IPv4, TCP and virtio_net headers, Internet checksums, TSO splitting of a TUN super-packet into
 * MTU-sized datagrams, GRO coalescing of received segments into one TUN write, and ICMP net-unreachable replies.
 * Everything here is pure logic, tested without root.
 */
package io.weft.dataplane.packet;
