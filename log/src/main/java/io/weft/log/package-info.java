/**
 * weftd's control-path log, shared by the registry and the dataplane (the packet path counts, it never logs):
 * {@code Log} writes one line per event to stderr, {@code OncePerKeyLog} reports a repeated problem once per key.
 */
package io.weft.log;
